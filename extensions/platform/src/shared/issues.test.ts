import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { summarizeIssues, toInputIssues } from './issues.js';

describe('input issues', () => {
  it('lists every issue with its dotted path', () => {
    const schema = z.object({ limit: z.number().max(10), tags: z.array(z.string()) });
    const result = schema.safeParse({ limit: 99, tags: ['ok', 3] });
    expect(result.success).toBe(false);
    if (result.success) return;
    const issues = toInputIssues(result.error);
    expect(issues.map((issue) => issue.path)).toEqual(['limit', 'tags.1']);
    expect(summarizeIssues('payload', issues)).toMatch(/^Invalid payload: limit: .+; tags\.1: .+$/);
  });

  it('summarises an issue about the whole input without a path', () => {
    expect(summarizeIssues('payload', [{ path: '', message: 'expected an object' }])).toBe(
      'Invalid payload: expected an object',
    );
  });
});

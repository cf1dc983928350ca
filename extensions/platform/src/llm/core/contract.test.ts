import { describe, expect, it } from '@jest/globals';
import { assistBody, assistParams } from './contract.js';

describe('assist contract', () => {
  it('takes a uuid and one of the assists', () => {
    const id = '0b6c1b7e-51a4-4b8e-9f0e-7a3c2d1e0f9a';
    expect(assistParams.parse({ id, assist: 'triage' })).toEqual({ id, assist: 'triage' });
    expect(assistParams.safeParse({ id: 'x', assist: 'reply' }).success).toBe(false);
    expect(assistParams.safeParse({ id, assist: 'poem' }).success).toBe(false);
  });
  it('takes only `fresh` in the body', () => {
    expect(assistBody.parse({})).toEqual({});
    expect(assistBody.safeParse({ fresh: true, other: 1 }).success).toBe(false);
  });
});

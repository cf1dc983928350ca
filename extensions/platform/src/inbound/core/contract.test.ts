import { describe, expect, it } from '@jest/globals';
import { duplicateAnswer, inboundAnswer, mailgunForm } from './contract.js';

describe('inbound contract', () => {
  it('describes the answers the route writes', () => {
    expect(inboundAnswer.safeParse({ data: { id: 'x', status: 'dropped', reason: 'Precedence: bulk' } }).success).toBe(
      true,
    );
    expect(duplicateAnswer.safeParse({ data: { id: null, status: 'duplicate', was: null } }).success).toBe(true);
    expect(mailgunForm.safeParse({ timestamp: '1' }).success).toBe(false);
  });
});

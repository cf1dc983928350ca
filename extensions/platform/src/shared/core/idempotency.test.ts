import { describe, expect, it } from '@jest/globals';
import { earlierRun, fingerprintOf, idempotencyKeyIssue, requestKeyOf } from './idempotency.js';

describe('Idempotency-Key', () => {
  it('accepts 1 to 255 characters, or no key', () => {
    expect(idempotencyKeyIssue(null)).toBeNull();
    expect(idempotencyKeyIssue('k')).toBeNull();
    expect(idempotencyKeyIssue('k'.repeat(255))).toBeNull();
    expect(idempotencyKeyIssue('')).toBe('must be 1 to 255 characters.');
    expect(idempotencyKeyIssue('k'.repeat(256))).toBe('must be 1 to 255 characters.');
  });

  it("is stored per user and hashed: another user's same key is another key, and the key itself is not kept", () => {
    const alice = requestKeyOf('a1', 'order-42');
    expect(alice).toBe(requestKeyOf('a1', 'order-42'));
    expect(alice).not.toBe(requestKeyOf('b2', 'order-42'));
    expect(alice).not.toBe(requestKeyOf('a1', 'order-43'));
    expect(alice).not.toContain('order-42');
    expect(requestKeyOf(null, 'order-42')).toMatch(/^key:admin-token:[0-9a-f]{64}$/);
    expect(requestKeyOf('a1', null)).toBeNull();
  });

  it('answers the same request, refuses another, and starts when nothing was found', () => {
    const run = { id: 'r1', fingerprint: fingerprintOf('tickets|csv|id') };
    expect(earlierRun(null, run.fingerprint)).toEqual({ kind: 'none' });
    expect(earlierRun(run, fingerprintOf('tickets|csv|id'))).toEqual({ kind: 'same', run });
    expect(earlierRun(run, fingerprintOf('tickets|csv|subject'))).toEqual({ kind: 'conflict' });
  });
});

import { describe, expect, it } from '@jest/globals';
import type { GuardInput } from '../../../../platform/src/workflows/core/machine.js';
import { reopenWithin7Days, reviewerNotAuthor } from './guards.js';

const now = new Date('2026-06-10T12:00:00Z');
const input = (item: Record<string, unknown>, user: string | null = 'u1'): GuardInput => ({
  collection: 'x',
  item,
  from: 'a',
  to: 'b',
  actor: { user, roles: [], admin: false },
  now,
});

describe('reopen_within_7_days', () => {
  it('passes up to 7 days after solving and refuses after', () => {
    expect(reopenWithin7Days.check(input({ solved_at: '2026-06-03T12:00:00Z' }))).toBeNull();
    expect(reopenWithin7Days.check(input({ solved_at: '2026-06-03T11:59:59Z' }))).toBe(
      'a solved ticket can be reopened only within 7 days',
    );
  });
  it('refuses when the solved time is unknown', () => {
    expect(reopenWithin7Days.check(input({ solved_at: null }))).toMatch(/no solved time/);
  });
});

describe('reviewer_not_author', () => {
  it('refuses the author and the creator', () => {
    expect(reviewerNotAuthor.check(input({ author: 'u1' }))).toBe('the author of an article cannot review it');
    expect(reviewerNotAuthor.check(input({ author: null, user_created: 'u1' }))).not.toBeNull();
    // The writer stays the writer when the author field names someone else.
    expect(reviewerNotAuthor.check(input({ author: 'u2', user_created: 'u1' }))).not.toBeNull();
    expect(reviewerNotAuthor.check(input({ author: 'u2', user_created: 'u3' }))).toBeNull();
  });
  it('passes the system and other users', () => {
    expect(reviewerNotAuthor.check(input({ author: 'u1' }, null))).toBeNull();
    expect(reviewerNotAuthor.check(input({ author: 'u2' }))).toBeNull();
  });
});

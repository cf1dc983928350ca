import { describe, expect, it } from '@jest/globals';
import { createActiveUsers } from './active-users.js';

describe('createActiveUsers', () => {
  it('remembers a user for ttlMs, forgets on demand, and stays bounded', () => {
    let now = 1000;
    const users = createActiveUsers({ ttlMs: 500, maxEntries: 2, now: () => now });
    expect(users.isFresh('u1')).toBe(false);
    users.remember('u1');
    expect(users.isFresh('u1')).toBe(true);
    now = 1499;
    expect(users.isFresh('u1')).toBe(true);
    now = 1500;
    expect(users.isFresh('u1')).toBe(false);

    users.remember('u1');
    users.forget('u1');
    expect(users.isFresh('u1')).toBe(false);

    users.remember('u1');
    users.remember('u2');
    users.remember('u3');
    expect(users.isFresh('u1')).toBe(false);
    expect(users.isFresh('u3')).toBe(true);
  });
});

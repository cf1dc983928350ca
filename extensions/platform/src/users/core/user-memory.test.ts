import { describe, expect, it } from '@jest/globals';
import { createUserMemory } from './user-memory.js';

describe('createUserMemory', () => {
  it('remembers a value for ttlMs, forgets on demand, and stays bounded', () => {
    let now = 1000;
    const users = createUserMemory<string>({ ttlMs: 500, maxEntries: 2, now: () => now });
    expect(users.get('u1')).toBeUndefined();
    users.remember('u1', 'agent');
    expect(users.get('u1')).toBe('agent');
    now = 1499;
    expect(users.get('u1')).toBe('agent');
    now = 1500;
    expect(users.get('u1')).toBeUndefined();

    users.remember('u1', 'agent');
    users.forget('u1');
    expect(users.get('u1')).toBeUndefined();

    users.remember('u1', 'agent');
    users.remember('u2', 'agent');
    users.remember('u3', 'customer');
    expect(users.get('u1')).toBeUndefined();
    expect(users.get('u3')).toBe('customer');

    users.clear();
    expect(users.get('u3')).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { createUserMemory } from './user-memory.js';

describe('createUserMemory', () => {
  it('remembers a value for ttlMs, forgets on demand, and stays bounded', () => {
    let now = 1000;
    const users = createUserMemory<string>({ ttlMs: 500, maxEntries: 2, now: () => now });
    expect(users.get('u1')).toBeUndefined();
    users.remember('u1', 'agent', users.reading());
    expect(users.get('u1')).toBe('agent');
    now = 1499;
    expect(users.get('u1')).toBe('agent');
    now = 1500;
    expect(users.get('u1')).toBeUndefined();

    users.remember('u1', 'agent', users.reading());
    users.forget('u1');
    expect(users.get('u1')).toBeUndefined();

    users.remember('u1', 'agent', users.reading());
    users.remember('u2', 'agent', users.reading());
    users.remember('u3', 'customer', users.reading());
    expect(users.get('u1')).toBeUndefined();
    expect(users.get('u3')).toBe('customer');

    users.clear();
    expect(users.get('u3')).toBeUndefined();
  });

  it('drops a value read before a forget of that user: the old access does not come back for a TTL', () => {
    const users = createUserMemory<string>({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    const sweep = users.reading();
    // The change commits and its hook forgets the user while the sweep's read (of the old row) is in flight.
    users.forget('u1');
    users.remember('u1', 'agent', sweep);
    expect(users.get('u1')).toBeUndefined();
    // Another user read in the same sweep is kept; a read started after the forget is kept.
    users.remember('u2', 'agent', sweep);
    expect(users.get('u2')).toBe('agent');
    users.remember('u1', 'customer', users.reading());
    expect(users.get('u1')).toBe('customer');
  });

  it('drops every value read before a clear, and one clear stands for too many forgets', () => {
    const users = createUserMemory<string>({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    const before = users.reading();
    users.clear();
    users.remember('u1', 'agent', before);
    expect(users.get('u1')).toBeUndefined();

    const inFlight = users.reading();
    users.forget('a');
    users.forget('b');
    users.forget('c'); // the third forget past maxEntries clears: reads in flight are dropped for everyone
    users.remember('u9', 'agent', inFlight);
    expect(users.get('u9')).toBeUndefined();
    users.remember('u9', 'agent', users.reading());
    expect(users.get('u9')).toBe('agent');
  });
});

import { describe, expect, it } from '@jest/globals';
import { decideSubscription } from './subscription.js';

describe('decideSubscription', () => {
  it('lets customers subscribe to create and update events', () => {
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets', event: 'create' }, true)).toEqual({
      allowed: true,
    });
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets', event: 'update' }, true).allowed).toBe(true);
  });

  it('refuses customers a subscription that would carry delete events', () => {
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets' }, true).allowed).toBe(false);
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets', event: 'delete' }, true).allowed).toBe(false);
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets', event: ['create'] }, true).allowed).toBe(
      false,
    );
  });

  it('leaves other messages and staff alone', () => {
    expect(decideSubscription({ type: 'unsubscribe', uid: '1' }, true).allowed).toBe(true);
    expect(decideSubscription({ type: 'ping' }, true).allowed).toBe(true);
    expect(decideSubscription({ type: 'subscribe', collection: 'tickets' }, false).allowed).toBe(true);
  });
});

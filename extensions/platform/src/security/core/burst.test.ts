import { describe, expect, it } from '@jest/globals';
import { burstAlert, burstKind, burstWindowStart, isBurst } from './burst.js';

const policy = { threshold: 3, windowMs: 5 * 60_000 };

describe('burstKind', () => {
  it('counts failed and throttled logins, and every denial', () => {
    expect(burstKind({ type: 'login', outcome: 'failed' })).toBe('login');
    expect(burstKind({ type: 'login', outcome: 'throttled' })).toBe('login');
    expect(burstKind({ type: 'access_denied', outcome: 'forbidden' })).toBe('denial');
    expect(burstKind({ type: 'access_denied', outcome: 'unauthenticated' })).toBe('denial');
  });
  it('ignores everything else', () => {
    expect(burstKind({ type: 'login', outcome: 'succeeded' })).toBeNull();
    expect(burstKind({ type: 'role', outcome: 'updated' })).toBeNull();
    expect(burstKind({ type: 'registration', outcome: 'refused' })).toBeNull();
  });
});

describe('isBurst', () => {
  it('is more than the threshold, not equal to it', () => {
    expect(isBurst(3, policy)).toBe(false);
    expect(isBurst(4, policy)).toBe(true);
  });
});

describe('burstWindowStart and burstAlert', () => {
  it('gives every moment of one window the same key, and the next window another', () => {
    const start = Date.UTC(2026, 11, 2, 10, 0, 0);
    const a = burstAlert('login', 4, policy, burstWindowStart(start + 1000, policy));
    const b = burstAlert('login', 9, policy, burstWindowStart(start + policy.windowMs - 1, policy));
    const c = burstAlert('login', 4, policy, burstWindowStart(start + policy.windowMs, policy));
    expect(a.key).toBe(b.key);
    expect(c.key).not.toBe(a.key);
    expect(burstAlert('denial', 4, policy, burstWindowStart(start, policy)).key).not.toBe(a.key);
  });
  it('says what happened and how often', () => {
    const alert = burstAlert('denial', 12, policy, 0);
    expect(alert.subject).toBe('Security alert: 12 refused requests (401/403) on /groundwork routes in 5 min');
    expect(alert.body).toContain('more than 3');
  });
});

import { describe, expect, it } from '@jest/globals';
import { deliveryFor, preferenceFor, type Preference } from './preferences.js';

const pref = (event: string, values: Partial<Preference> = {}): Preference => ({
  user: 'u1',
  event,
  email: true,
  in_app: true,
  digest: false,
  ...values,
});

describe('preferenceFor', () => {
  it('picks the most specific preference: exact over pattern over *', () => {
    const prefs = [
      pref('*', { digest: true }),
      pref('tickets.*', { in_app: false }),
      pref('tickets.created', { email: false }),
    ];
    expect(preferenceFor(prefs, 'u1', 'tickets.created')?.event).toBe('tickets.created');
    expect(preferenceFor(prefs, 'u1', 'tickets.assigned')?.event).toBe('tickets.*');
    expect(preferenceFor(prefs, 'u1', 'sla.tickets.breached')?.event).toBe('*');
    expect(preferenceFor(prefs, 'u2', 'tickets.created')).toBeNull();
  });
});

describe('deliveryFor', () => {
  it('sends immediately without a preference', () => {
    expect(deliveryFor(null, 'email', { ruleDigest: false })).toBe('immediate');
    expect(deliveryFor(null, 'in_app', { ruleDigest: false })).toBe('immediate');
  });
  it('turns a channel off', () => {
    expect(deliveryFor(pref('*', { email: false }), 'email', { ruleDigest: false })).toBe('off');
    expect(deliveryFor(pref('*', { email: false }), 'in_app', { ruleDigest: false })).toBe('immediate');
  });
  it('holds email for the digest when the user or the rule asks, never in-app', () => {
    expect(deliveryFor(pref('*', { digest: true }), 'email', { ruleDigest: false })).toBe('digest');
    expect(deliveryFor(null, 'email', { ruleDigest: true })).toBe('digest');
    expect(deliveryFor(pref('*', { digest: true }), 'in_app', { ruleDigest: true })).toBe('immediate');
  });
  it('off wins over digest', () => {
    expect(deliveryFor(pref('*', { email: false, digest: true }), 'email', { ruleDigest: true })).toBe('off');
  });
});

// Per-user preferences: each channel on or off per event type, and the daily digest instead of immediate email.
// The most specific preference wins: an exact event type over a pattern, a pattern over `*`.
import { matchesEventType, type Channel } from './rules.js';

export interface Preference {
  user: string;
  /** Event type or pattern (rules.ts `matchesEventType`); `*` (or `**`) for every event. */
  event: string;
  email: boolean;
  in_app: boolean;
  digest: boolean;
}

/** immediate: send now; digest: hold for the daily digest; off: the user turned this channel off. */
export type Delivery = 'immediate' | 'digest' | 'off';

function specificity(pattern: string): number {
  if (pattern === '*' || pattern === '**') return 0;
  return pattern.includes('*') ? 1 : 2;
}

export function preferenceFor(preferences: Preference[], user: string, eventType: string): Preference | null {
  const matching = preferences.filter(
    (preference) =>
      preference.user === user &&
      (preference.event === '*' || preference.event === '**' || matchesEventType(preference.event, eventType)),
  );
  matching.sort((a, b) => specificity(b.event) - specificity(a.event));
  return matching[0] ?? null;
}

/** Digest applies to email; in-app notifications are a feed already, so they stay immediate. */
export function deliveryFor(
  preference: Preference | null,
  channel: Channel,
  options: { ruleDigest: boolean },
): Delivery {
  if (preference && !preference[channel]) return 'off';
  if (channel === 'email' && (options.ruleDigest || preference?.digest)) return 'digest';
  return 'immediate';
}

// Bursts of failed logins and denials: which events count towards which kind, whether a count is a burst, and
// which fixed window an alert belongs to (at most one alert per kind and window, keyed by the window's start).
// Pure: the adapter counts rows and delivers.

export type BurstKind = 'login' | 'denial';

export interface BurstPolicy {
  /** More than this many events of one kind within windowMs is a burst. */
  threshold: number;
  windowMs: number;
}

/** The kind an event counts towards, or null when it is no part of any burst. */
export function burstKind(event: { type: string; outcome: string }): BurstKind | null {
  if (event.type === 'login' && (event.outcome === 'failed' || event.outcome === 'throttled')) return 'login';
  if (event.type === 'access_denied') return 'denial';
  return null;
}

/** The event types and outcomes a kind counts, for the adapter's count query. */
export const BURST_EVENTS: Record<BurstKind, { type: string; outcomes: string[] | null }> = {
  login: { type: 'login', outcomes: ['failed', 'throttled'] },
  denial: { type: 'access_denied', outcomes: null },
};

export function isBurst(count: number, policy: BurstPolicy): boolean {
  return count > policy.threshold;
}

/** The start of the fixed window `now` falls in: the alert's identity, so one burst alerts once per window. */
export function burstWindowStart(now: number, policy: BurstPolicy): number {
  return Math.floor(now / policy.windowMs) * policy.windowMs;
}

export function burstAlert(kind: BurstKind, count: number, policy: BurstPolicy, windowStart: number) {
  const what = kind === 'login' ? 'failed or throttled logins' : 'refused requests (401/403) on /groundwork routes';
  const minutes = Math.round(policy.windowMs / 60000);
  return {
    key: `security-burst:${kind}:${new Date(windowStart).toISOString()}`,
    subject: `Security alert: ${count} ${what} in ${minutes} min`,
    body:
      `${count} ${what} in the last ${minutes} minutes (alert threshold: more than ${policy.threshold}).\n` +
      'Review them in the admin app under Security events. No further alert of this kind is sent in this window.',
  };
}

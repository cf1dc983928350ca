// When a webhook delivery is tried again, and what an attempt's answer means. The schedule is Svix's (immediately,
// then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) unless GROUNDWORK_WEBHOOKS_RETRY_SCHEDULE says otherwise; a
// `Retry-After` longer than the scheduled wait is honoured (up to a day); a 410 disables the subscription; an endpoint
// that has not succeeded for the failure window is disabled. Pure.

export const SVIX_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
/** A Retry-After beyond this is read as this: a receiver cannot park a delivery for weeks. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

export function parseRetrySchedule(text: string): number[] {
  const steps = text.split(',').map((part) => part.trim());
  if (steps.length === 0 || steps.some((step) => !/^\d+$/.test(step)))
    throw new Error('a retry schedule is comma-separated whole seconds');
  return steps.map(Number);
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterSeconds(header: string | string[] | undefined, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export type AttemptResult =
  | { kind: 'answer'; status: number; retryAfterSeconds: number | null }
  /** No answer: refused connection, timeout, denied address, DNS failure. */
  | { kind: 'no_answer' };

export type Decision =
  | { outcome: 'delivered' }
  /** 410 Gone: the receiver asks us to stop; the subscription is disabled. */
  | { outcome: 'gone' }
  | { outcome: 'retry'; delaySeconds: number }
  /** Every retry spent. */
  | { outcome: 'failed' };

/**
 * After attempt number `attempt` (1 = the first) got `result`. 2xx is delivered; 3xx counts as a failure (the
 * client follows no redirect: a receiver that moved must be re-subscribed).
 */
export function decide(result: AttemptResult, attempt: number, schedule: readonly number[]): Decision {
  if (result.kind === 'answer' && result.status >= 200 && result.status < 300) return { outcome: 'delivered' };
  if (result.kind === 'answer' && result.status === 410) return { outcome: 'gone' };
  const scheduled = schedule[attempt - 1];
  if (scheduled === undefined) return { outcome: 'failed' };
  const asked = result.kind === 'answer' ? result.retryAfterSeconds : null;
  const delaySeconds = asked === null ? scheduled : Math.max(scheduled, Math.min(asked, MAX_RETRY_AFTER_SECONDS));
  return { outcome: 'retry', delaySeconds };
}

/** An endpoint failing since `failingSince` (no success after) is disabled once the window has passed. */
export function windowExceeded(failingSince: Date | null, now: Date, windowSeconds: number): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= windowSeconds * 1000;
}

/** What the log keeps of an answer: at most `limit` characters. */
export function excerpt(body: string, limit = 1000): string {
  return body.length > limit ? `${body.slice(0, limit)}…` : body;
}

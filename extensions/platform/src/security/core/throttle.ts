// The login throttle's decision: a temporary backoff per key (an account and a client, or an account alone) that
// never locks anybody out for longer than the cap (decision 0013). Pure: the store passes in the row and the clock.

export interface ThrottlePolicy {
  /** Failures counted before the first delay. */
  freeAttempts: number;
  /** The first delay; each further failure doubles it. */
  baseDelayMs: number;
  /** No delay is ever longer than this. */
  maxDelayMs: number;
  /** A key without a failure for this long starts over. */
  forgetAfterMs: number;
}

export interface ThrottleState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export type Admission =
  | { admitted: true; next: ThrottleState }
  | { admitted: false; retryAfterMs: number; state: ThrottleState };

/** The delay that follows the given number of counted failures: 0 while free, then base, 2×base, ... up to the cap. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeAttempts;
  if (over < 0) return 0;
  // 2^30 × any sensible base is far past any cap; stop doubling there so the number stays finite.
  return Math.min(policy.baseDelayMs * 2 ** Math.min(over, 30), policy.maxDelayMs);
}

/**
 * One login attempt against a key. A blocked key refuses it without counting it (so waiting always helps);
 * otherwise the attempt is counted as a failure before the password is checked (a success resets the key), so
 * parallel attempts cannot all slip through while the first is being checked.
 */
export function admit(state: ThrottleState | null, now: number, policy: ThrottlePolicy): Admission {
  const current = state && now - state.lastFailureAt < policy.forgetAfterMs ? state : null;
  if (current && current.blockedUntil > now) {
    return { admitted: false, retryAfterMs: current.blockedUntil - now, state: current };
  }
  const failures = (current?.failures ?? 0) + 1;
  const delay = delayAfter(failures, policy);
  return { admitted: true, next: { failures, lastFailureAt: now, blockedUntil: delay > 0 ? now + delay : 0 } };
}

/** Retry-After is whole seconds; never 0, or a client would retry at once into the same refusal. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

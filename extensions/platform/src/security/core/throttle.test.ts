import { describe, expect, it } from '@jest/globals';
import { admit, delayAfter, retryAfterSeconds, type ThrottlePolicy, type ThrottleState } from './throttle.js';

const policy: ThrottlePolicy = { freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 3_600_000 };

/** Runs attempts at the given times through admit, like the store does; returns the admissions. */
function run(times: number[]) {
  let state: ThrottleState | null = null;
  return times.map((now) => {
    const result = admit(state, now, policy);
    if (result.admitted) state = result.next;
    return result;
  });
}

describe('delayAfter', () => {
  it('is free for the free attempts minus one, then doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => delayAfter(n, policy))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => delayAfter(n, policy))).toEqual([1000, 2000, 4000, 8000]);
    expect(delayAfter(15, policy)).toBe(900_000);
    expect(delayAfter(10_000, policy)).toBe(900_000);
  });
});

describe('admit', () => {
  it('admits the free attempts at once, then refuses until the delay has passed, without counting refusals', () => {
    const results = run([0, 0, 0, 0, 0, 0, 0, 500]);
    expect(results.map((r) => r.admitted)).toEqual([true, true, true, true, true, false, false, false]);
    expect(results[5]).toMatchObject({ retryAfterMs: 1000 });
    expect(results[7]).toMatchObject({ retryAfterMs: 500, state: { failures: 5 } });
  });

  it('admits one attempt after each delay, and the delay doubles', () => {
    const results = run([0, 0, 0, 0, 0, 1000, 1000, 3000, 3001]);
    expect(results.map((r) => r.admitted)).toEqual([true, true, true, true, true, true, false, true, false]);
    expect(results[5]).toMatchObject({ next: { failures: 6, blockedUntil: 3000 } });
  });

  it('never blocks longer than the cap, however many failures', () => {
    let state: ThrottleState = { failures: 1000, lastFailureAt: 0, blockedUntil: 900_000 };
    const result = admit(state, 900_000, policy);
    expect(result).toMatchObject({ admitted: true, next: { blockedUntil: 1_800_000 } });
    state = (result as { next: ThrottleState }).next;
    expect(admit(state, 900_001, policy)).toMatchObject({ admitted: false, retryAfterMs: 899_999 });
  });

  it('forgets a key after a quiet period', () => {
    const state: ThrottleState = { failures: 12, lastFailureAt: 0, blockedUntil: 900_000 };
    expect(admit(state, 3_600_000, policy)).toMatchObject({ admitted: true, next: { failures: 1, blockedUntil: 0 } });
    expect(admit(state, 3_599_999, policy)).toMatchObject({ admitted: true, next: { failures: 13 } });
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up and is at least 1', () => {
    expect([1, 999, 1000, 1001, 0].map(retryAfterSeconds)).toEqual([1, 1, 1, 2, 1]);
  });
});

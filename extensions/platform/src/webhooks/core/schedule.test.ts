import { describe, expect, it } from '@jest/globals';
import {
  decide,
  excerpt,
  MAX_RETRY_AFTER_SECONDS,
  parseRetrySchedule,
  retryAfterSeconds,
  SVIX_RETRY_SCHEDULE_SECONDS,
  windowExceeded,
} from './schedule.js';

const svix = [...SVIX_RETRY_SCHEDULE_SECONDS];
const failing = (status: number, retryAfter: number | null = null) =>
  ({ kind: 'answer', status, retryAfterSeconds: retryAfter }) as const;

describe('the webhook retry schedule', () => {
  it("is Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the immediate attempt, then failed", () => {
    const waits = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const decision = decide({ kind: 'no_answer' }, attempt, svix);
      waits.push(decision.outcome === 'retry' ? decision.delaySeconds : decision.outcome);
    }
    expect(waits).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000, 'failed']);
  });

  it('reads the configured schedule', () => {
    expect(parseRetrySchedule('5,300,1800,7200,18000,36000,36000')).toEqual(svix);
    expect(parseRetrySchedule(' 1 , 2 ')).toEqual([1, 2]);
    expect(() => parseRetrySchedule('1,x')).toThrow();
    expect(() => parseRetrySchedule('')).toThrow();
  });

  it('delivers on 2xx, stops on 410, retries 3xx, 4xx and 5xx', () => {
    expect(decide(failing(200), 1, svix)).toEqual({ outcome: 'delivered' });
    expect(decide(failing(204), 5, svix)).toEqual({ outcome: 'delivered' });
    expect(decide(failing(410), 1, svix)).toEqual({ outcome: 'gone' });
    for (const status of [301, 400, 429, 500, 503])
      expect(decide(failing(status), 1, svix)).toEqual({ outcome: 'retry', delaySeconds: 5 });
  });

  it('honours a longer Retry-After, capped at a day, never a shorter one', () => {
    expect(decide(failing(429, 60), 1, svix)).toEqual({ outcome: 'retry', delaySeconds: 60 });
    expect(decide(failing(503, 1), 2, svix)).toEqual({ outcome: 'retry', delaySeconds: 300 });
    expect(decide(failing(503, 10 ** 9), 1, svix)).toEqual({ outcome: 'retry', delaySeconds: MAX_RETRY_AFTER_SECONDS });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-12-03T06:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds(['7'], now)).toBe(7);
    expect(retryAfterSeconds('Thu, 03 Dec 2026 06:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Thu, 03 Dec 2026 05:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
  });

  it('disables an endpoint once it has failed for the whole window', () => {
    const now = new Date('2026-12-08T06:00:00Z');
    const window = 5 * 24 * 3600;
    expect(windowExceeded(null, now, window)).toBe(false);
    expect(windowExceeded(new Date('2026-12-03T06:00:01Z'), now, window)).toBe(false);
    expect(windowExceeded(new Date('2026-12-03T06:00:00Z'), now, window)).toBe(true);
  });

  it('keeps an excerpt of the answer', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('x'.repeat(20), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

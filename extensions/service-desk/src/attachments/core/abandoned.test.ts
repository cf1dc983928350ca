import { describe, expect, it } from '@jest/globals';
import { abandonedAfterMs, abandonedBefore } from './abandoned.js';

describe('abandonedAfterMs', () => {
  it('defaults to 24 hours, reads whole hours, and reports an unreadable value', () => {
    expect(abandonedAfterMs(undefined)).toEqual({ ms: 24 * 3_600_000, problem: null });
    expect(abandonedAfterMs(' ')).toEqual({ ms: 24 * 3_600_000, problem: null });
    expect(abandonedAfterMs('2')).toEqual({ ms: 2 * 3_600_000, problem: null });
    for (const bad of ['0', '-3', '1.5', '1h', 'soon']) {
      const read = abandonedAfterMs(bad);
      expect(read.ms).toBe(24 * 3_600_000);
      expect(read.problem).toMatch(/GROUNDWORK_ABANDONED_UPLOAD_HOURS/);
    }
  });

  it('counts back from now', () => {
    expect(abandonedBefore(new Date('2026-12-03T12:00:00Z'), 3_600_000).toISOString()).toBe('2026-12-03T11:00:00.000Z');
  });
});

import { describe, expect, it } from '@jest/globals';
import { assertCron } from './schedule.js';

describe('assertCron', () => {
  it('accepts 5-field cron', () => {
    for (const cron of ['* * * * *', '*/5 * * * *', '0 6 * * 1-5', '30 2 1 JAN,JUL *']) {
      expect(() => assertCron(cron)).not.toThrow();
    }
  });

  it('refuses seconds, missing fields and junk', () => {
    for (const cron of ['*/2 * * * * *', '* * * *', '', 'every day', '* * * * ; drop']) {
      expect(() => assertCron(cron)).toThrow(/5 fields/);
    }
  });
});

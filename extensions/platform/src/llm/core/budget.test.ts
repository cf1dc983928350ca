import { describe, expect, it } from '@jest/globals';
import { budgetDay, secondsUntilNextDay } from './budget.js';

describe('budget days', () => {
  it('are UTC days', () => {
    const now = new Date('2026-12-03T23:59:30.000Z');
    expect(budgetDay(now)).toBe('2026-12-03');
    expect(secondsUntilNextDay(now)).toBe(30);
    expect(secondsUntilNextDay(new Date('2026-12-04T00:00:00.000Z'))).toBe(86400);
  });
});

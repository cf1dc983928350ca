import { describe, expect, it } from '@jest/globals';
import { budgetDay, checkBudget, secondsUntilNextDay } from './budget.js';

const limits = { user: 1000, organization: 5000 };

describe('checkBudget', () => {
  it('lets a request through when both budgets have room', () => {
    expect(
      checkBudget({ used: { user: 400, organization: 4000 }, limits, request: 600, hasOrganization: true }),
    ).toEqual({ ok: true });
  });
  it("refuses on the user's budget first, then the organization's", () => {
    expect(checkBudget({ used: { user: 401, organization: 0 }, limits, request: 600, hasOrganization: true })).toEqual({
      ok: false,
      scope: 'user',
      used: 401,
      limit: 1000,
    });
    expect(checkBudget({ used: { user: 0, organization: 4500 }, limits, request: 600, hasOrganization: true })).toEqual(
      {
        ok: false,
        scope: 'organization',
        used: 4500,
        limit: 5000,
      },
    );
  });
  it('ignores the organization when the ticket has none', () => {
    expect(
      checkBudget({ used: { user: 0, organization: 9999 }, limits, request: 600, hasOrganization: false }),
    ).toEqual({ ok: true });
  });
  it('refuses everything with a zero budget', () => {
    expect(
      checkBudget({
        used: { user: 0, organization: 0 },
        limits: { user: 0, organization: 0 },
        request: 1,
        hasOrganization: true,
      }).ok,
    ).toBe(false);
  });
});

describe('budget days', () => {
  it('are UTC days', () => {
    const now = new Date('2026-12-03T23:59:30.000Z');
    expect(budgetDay(now)).toBe('2026-12-03');
    expect(secondsUntilNextDay(now)).toBe(30);
    expect(secondsUntilNextDay(new Date('2026-12-04T00:00:00.000Z'))).toBe(86400);
  });
});

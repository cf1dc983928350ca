// Token budgets per UTC day (decision 0050): per user and per organization of the ticket. A request goes out only
// when both have room for its estimated prompt and the most it may answer. Pure.

export type BudgetScope = 'user' | 'organization';
export interface BudgetCheck {
  used: Record<BudgetScope, number>;
  limits: Record<BudgetScope, number>;
  /** Estimated prompt tokens plus the answer's maximum. */
  request: number;
  /** The ticket has no organization: only the user's budget applies. */
  hasOrganization: boolean;
}
export type BudgetDecision = { ok: true } | { ok: false; scope: BudgetScope; used: number; limit: number };

export function checkBudget(check: BudgetCheck): BudgetDecision {
  const scopes: BudgetScope[] = check.hasOrganization ? ['user', 'organization'] : ['user'];
  for (const scope of scopes) {
    if (check.used[scope] + check.request > check.limits[scope])
      return { ok: false, scope, used: check.used[scope], limit: check.limits[scope] };
  }
  return { ok: true };
}

/** The budget day a moment belongs to (UTC), as YYYY-MM-DD. */
export const budgetDay = (now: Date): string => now.toISOString().slice(0, 10);

/** Seconds until the next UTC day: when a refused request may be tried again. */
export function secondsUntilNextDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

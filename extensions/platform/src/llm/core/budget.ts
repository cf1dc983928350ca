// Token budgets per UTC day (decisions 0050, 0052): per user and per organization of the ticket. A request goes out
// only when both have room for its estimated prompt and the most it may answer; that check and its reservation are
// one statement per scope in the usage store (store.ts), so concurrent requests cannot pass the limit. Pure.

export type BudgetScope = 'user' | 'organization';

/** The budget day a moment belongs to (UTC), as YYYY-MM-DD. */
export const budgetDay = (now: Date): string => now.toISOString().slice(0, 10);

/** Seconds until the next UTC day: when a refused request may be tried again. */
export function secondsUntilNextDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

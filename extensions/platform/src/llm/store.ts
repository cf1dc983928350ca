// Token usage per UTC day, per user and per organization (decisions 0050 and 0052), in `llm_usage` (platform version
// `llm-usage`; admins read it in the app). Read and written with the root knex: it is the platform's own
// bookkeeping of what the caller spent, not data the caller reads.
//
// A request reserves its most (estimated prompt + the answer's maximum) before anything leaves, one conditional
// upsert per scope in one transaction: the row lock of the upsert serializes concurrent requests, and each sees the
// tokens the others reserved, so together they never pass the limit. Once the answer is in, the request settles:
// the reservation is replaced by what it really cost (the provider's usage, else an estimate).
import type { Knex } from 'knex';
import type { BudgetScope } from './core/budget.js';

export interface UsageSubjects {
  user: string;
  organization: string | null;
}

export type Reservation = { ok: true } | { ok: false; scope: BudgetScope; limit: number };

export interface UsageStore {
  /** Adds `tokens` to each scope's day if every scope stays within its limit; else changes nothing. */
  reserve(
    day: string,
    subjects: UsageSubjects,
    tokens: number,
    limits: Record<BudgetScope, number>,
  ): Promise<Reservation>;
  /** Replaces a reservation of `reserved` tokens by the `spent` ones. */
  settle(day: string, subjects: UsageSubjects, reserved: number, spent: number): Promise<void>;
}

/** Thrown inside the reservation's transaction to roll back the scopes already reserved. */
class NoRoom extends Error {
  constructor(readonly scope: BudgetScope) {
    super(`no room in the ${scope} budget`);
  }
}

export function usageStore(database: Knex): UsageStore {
  // Always user first, then organization: concurrent reservations lock rows in the same order (no deadlock).
  const scoped = (subjects: UsageSubjects): Array<[BudgetScope, string]> => [
    ['user', subjects.user],
    ...(subjects.organization ? ([['organization', subjects.organization]] as Array<[BudgetScope, string]>) : []),
  ];
  return {
    async reserve(day, subjects, tokens, limits) {
      try {
        await database.transaction(async (trx) => {
          for (const [scope, subject] of scoped(subjects)) {
            // The first request of the day inserts (if the reservation fits at all); later ones add to the row only
            // while it stays within the limit. ON CONFLICT's WHERE sees the row's latest committed tokens. The casts:
            // untyped parameters would compare as text ('1050' > '1000000').
            const result = (await trx.raw(
              `insert into llm_usage (day, scope, subject, tokens, requests, date_updated)
               select ?::date, ?::varchar, ?::varchar, ?::bigint, 1, now() where ?::bigint <= ?::bigint
               on conflict (day, scope, subject)
               do update set tokens = llm_usage.tokens + excluded.tokens, requests = llm_usage.requests + 1,
                             date_updated = now()
               where llm_usage.tokens + excluded.tokens <= ?::bigint
               returning tokens`,
              [day, scope, subject, tokens, tokens, limits[scope], limits[scope]],
            )) as { rows: unknown[] };
            if (result.rows.length === 0) throw new NoRoom(scope);
          }
        });
        return { ok: true };
      } catch (error) {
        if (error instanceof NoRoom) return { ok: false, scope: error.scope, limit: limits[error.scope] };
        throw error;
      }
    },
    async settle(day, subjects, reserved, spent) {
      if (spent === reserved) return;
      for (const [scope, subject] of scoped(subjects)) {
        await database('llm_usage')
          .where({ day, scope, subject })
          .update({ tokens: database.raw('tokens + ?', [spent - reserved]), date_updated: database.fn.now() });
      }
    },
  };
}

// Token usage per UTC day, per user and per organization (decision 0050), in `llm_usage` (platform version
// `llm-usage`; admins read it in the app). Read and written with the root knex: it is the platform's own
// bookkeeping of what the caller spent, not data the caller reads.
import type { Knex } from 'knex';
import type { BudgetScope } from './core/budget.js';

export interface UsageSubjects {
  user: string;
  organization: string | null;
}

export interface UsageStore {
  used(day: string, subjects: UsageSubjects): Promise<Record<BudgetScope, number>>;
  add(day: string, subjects: UsageSubjects, tokens: number): Promise<void>;
}

export function usageStore(database: Knex): UsageStore {
  const scoped = (subjects: UsageSubjects): Array<[BudgetScope, string]> => [
    ['user', subjects.user],
    ...(subjects.organization ? ([['organization', subjects.organization]] as Array<[BudgetScope, string]>) : []),
  ];
  return {
    async used(day, subjects) {
      const rows = (await database('llm_usage')
        .where({ day })
        .andWhere((query) => {
          for (const [scope, subject] of scoped(subjects)) query.orWhere({ scope, subject });
        })
        .select('scope', 'tokens')) as Array<{ scope: BudgetScope; tokens: number | string }>;
      const used = { user: 0, organization: 0 };
      for (const row of rows) used[row.scope] = Number(row.tokens);
      return used;
    },
    async add(day, subjects, tokens) {
      // One row per day, scope and subject (unique index of the version's migration): concurrent requests add up.
      for (const [scope, subject] of scoped(subjects)) {
        await database.raw(
          `insert into llm_usage (day, scope, subject, tokens, requests, date_updated) values (?, ?, ?, ?, 1, now())
           on conflict (day, scope, subject)
           do update set tokens = llm_usage.tokens + excluded.tokens, requests = llm_usage.requests + 1,
                         date_updated = now()`,
          [day, scope, subject, tokens],
        );
      }
    },
  };
}

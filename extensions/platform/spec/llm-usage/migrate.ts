// Data migration of platform version `llm-usage`: one row per day, scope and subject, so the usage store's
// `insert … on conflict` adds concurrent requests up (decision 0050). A three-column unique index is invisible to
// Directus's schema snapshot, so it causes no drift (decision 0031).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    'create unique index if not exists llm_usage_day_scope_subject on llm_usage (day, scope, subject)',
  );
}

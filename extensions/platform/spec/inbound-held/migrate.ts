// Data migration of platform version `inbound-held`: the index the per-sender rate limit counts through (one
// sender, the last hour) and held emails are found by on activation, so both stay index scans however large the
// record grows. A two-column index is invisible to Directus's schema snapshot: no drift (decision 0031).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw('create index if not exists inbound_emails_sender on inbound_emails (sender, date_created)');
}

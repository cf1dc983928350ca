// Data migration of platform version `notification-burst`: the index the fan-out's burst count reads (one rule, a
// few recipients, one channel, the last hour) so it stays an index range scan however large the outbox grows. A
// four-column index is invisible to Directus's schema snapshot, so it causes no drift (decision 0031).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    `create index if not exists notification_outbox_burst
       on notification_outbox (rule, recipient, channel, date_created)`,
  );
}

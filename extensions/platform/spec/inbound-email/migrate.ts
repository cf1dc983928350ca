// Data migration of platform version `inbound-email`: replies are matched by In-Reply-To/References against the
// Message-IDs notification emails were sent with (notification_outbox.message_id): an index for that lookup. Two
// columns, so Directus's schema snapshot does not see it (no drift; decision 0031).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    'create index if not exists notification_outbox_message_id on notification_outbox (message_id, collection)',
  );
}

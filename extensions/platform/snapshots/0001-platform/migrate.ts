// Data migration of the platform's notification collections (copied into the platform's version by
// `npm run platform:author`): what Directus's schema API cannot express, invisible to its schema snapshot (so no
// drift): one preference per user and event type, a two-column unique index.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    'create unique index if not exists notification_preferences_user_event on notification_preferences ("user", event)',
  );
}

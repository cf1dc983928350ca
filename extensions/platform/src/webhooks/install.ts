// The secrets' table, made at boot (idempotent) in the `groundwork` schema beside the events outbox: Directus serves
// only the `public` schema, so no REST, GraphQL or admin-app query reaches a secret, an admin's included (decision
// 0037). No foreign key to webhook_subscriptions: that table belongs to the snapshot line; the delete hook and the
// rotation clean up instead.
import type { Knex } from 'knex';
import { installUnderLock } from '../shared/install.js';

export async function installWebhookSecrets(database: Knex): Promise<void> {
  await installUnderLock(database, [
    'CREATE SCHEMA IF NOT EXISTS groundwork',
    `CREATE TABLE IF NOT EXISTS groundwork.webhook_secret (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subscription uuid NOT NULL,
      secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- NULL: the current secret; set: rotated out, still signing until then.
      expires_at timestamptz
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS webhook_secret_current
      ON groundwork.webhook_secret (subscription) WHERE expires_at IS NULL`,
  ]);
}

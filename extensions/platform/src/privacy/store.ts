// Reads of the platform-owned personal data, each scoped to one user id. They use the context's knex, not the
// caller's permissions: the export is everything held *about* the caller, and roles deliberately read less of it
// (customers have no permission on directus_notifications, the outbox or workflow history, and read a file only
// through the message it is attached to). Every query is filtered on the caller's own id, so nobody else's row
// can come in.
import type { Knex } from 'knex';
import { securityStore } from '../security/store.js';
import type { PlatformSections } from './core/export.js';

type Row = Record<string, unknown>;

export async function platformSections(database: Knex, user: string): Promise<PlatformSections | null> {
  const account = (await database('directus_users').where({ id: user }).first()) as Row | undefined;
  if (!account) return null;
  const [files, inApp, preferences, outbox, history, security] = await Promise.all([
    database('directus_files').where({ uploaded_by: user }).orderBy('uploaded_on'),
    database('directus_notifications').where({ recipient: user }).orderBy('timestamp'),
    database('notification_preferences').where({ user }).orderBy('id'),
    database('notification_outbox').where({ recipient: user }).orderBy('date_created'),
    database('workflow_history').where({ actor: user }).orderBy('id'),
    // The security capability owns its table; user_id is the account an event is about.
    securityStore(database).about(user) as Promise<Row[]>,
  ]);
  return {
    user: account,
    files: files as Row[],
    notifications: { in_app: inApp as Row[], preferences: preferences as Row[], outbox: outbox as Row[] },
    workflow_history: history as Row[],
    security_events: security,
  };
}

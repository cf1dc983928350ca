// Adapter for the attachment link (core/link.ts): when a junction row attaches a file to a message, the file
// remembers that message if it has none yet. In the create filter, inside the write's transaction, when the payload
// names both keys; otherwise (a file created in the same nested write) in the create action, after commit. Until
// the link is set no customer can read the file: the rule fails closed.
import type { Knex } from 'knex';
import { linkOf, type JunctionPayload } from './core/link.js';

interface Logger {
  warn(object: object, message: string): void;
}

const remember = (database: Knex, file: string, message: string) =>
  database('directus_files').update({ ticket_message: message }).where({ id: file }).whereNull('ticket_message');

export function linkOnCreate() {
  return async (payload: unknown, _meta: Record<string, unknown>, context: { database: Knex }) => {
    const link = linkOf((payload ?? {}) as JunctionPayload);
    if (link) await remember(context.database, link.file, link.message);
    return payload;
  };
}

export function linkAfterCreate(logger: Logger) {
  return async (meta: Record<string, unknown>, context: { database: Knex }) => {
    try {
      const row = await context
        .database('ticket_messages_files')
        .select('directus_files_id', 'ticket_messages_id')
        .where({ id: meta.key as number })
        .first();
      const link = row ? linkOf(row) : null;
      if (link) await remember(context.database, link.file, link.message);
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not link an attachment to its message');
    }
  };
}

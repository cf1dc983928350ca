// Adapter for the attachment link (core/link.ts): when a junction row attaches a file to a message, the file
// remembers that message if it has none yet. In the create filter, inside the write's transaction, when the payload
// names both keys; otherwise (a file created in the same nested write) in the create action, after commit. Until
// the link is set no customer can read the file: the rule fails closed.
import { createError } from '@directus/errors';
import type { Accountability } from '@directus/types';
import type { Knex } from 'knex';
import { isCustomer } from '../shared/roles.js';
import { decideCustomerLink, customerLinkKeys } from './core/customer-link.js';
import { linkOf, type JunctionPayload } from './core/link.js';

interface Logger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

// Directus's own refusal, so a refused link tells nothing about the file or message it named.
const LinkForbiddenError = createError('FORBIDDEN', "You don't have permission to access this.", 403);

/**
 * Customers attach only their own unattached upload to their own public message (core/customer-link.ts). Runs in
 * the write's transaction on every create path (REST, GraphQL, nested in a new message or through a ticket's
 * messages); the file row is locked, so two links of one file cannot both pass. Staff and services (inbound email)
 * are left to their permissions.
 */
export function guardCustomerLinks(logger: Logger) {
  return async (
    payload: unknown,
    _meta: Record<string, unknown>,
    context: { database: Knex; accountability?: Accountability | null },
  ) => {
    const accountability = context.accountability;
    if (!accountability?.user || accountability.admin) return payload;
    if (!isCustomer(accountability.roles, accountability.role)) return payload;
    const row = (payload ?? {}) as JunctionPayload;
    const keys = customerLinkKeys(row);
    const database = context.database;
    const person = await database('directus_users').select('organization').where({ id: accountability.user }).first();
    const file = keys
      ? await database('directus_files')
          .select('uploaded_by', 'ticket_message')
          .where({ id: keys.file })
          .forUpdate()
          .first()
      : undefined;
    const attached = keys
      ? await database('ticket_messages_files')
          .count<Array<{ n: string | number }>>({ n: '*' })
          .where({ directus_files_id: keys.file })
      : [{ n: 0 }];
    const message = keys
      ? await database('ticket_messages as m')
          .join('tickets as t', 't.id', 'm.ticket')
          .select('m.author', 'm.internal', 't.organization')
          .where('m.id', keys.message)
          .first()
      : undefined;
    const decision = decideCustomerLink(row, {
      user: { id: accountability.user, organization: person?.organization ?? null },
      file: file
        ? {
            uploadedBy: file.uploaded_by ?? null,
            linkedTo: file.ticket_message ?? null,
            attachedTo: Number(attached[0]?.n ?? 0),
          }
        : null,
      message: message
        ? {
            author: message.author ?? null,
            internal: message.internal === true,
            organization: message.organization ?? null,
          }
        : null,
    });
    if (!decision.allowed) {
      logger.info({ reason: decision.reason }, 'customer attachment refused');
      throw new LinkForbiddenError();
    }
    return payload;
  };
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

// Adapter for the customer-reply rule: a filter on ticket_messages.items.create. Directus runs that filter inside
// the write's transaction for every create path (REST one and batch, GraphQL, nested creation through a ticket's
// `messages`), so the ticket is read with the event's `database` and a refusal rolls the whole write back.
// A permission validation cannot do this: validations check the payload, not the ticket a key points to.
import { createError } from '@directus/errors';
import type { Accountability } from '@directus/types';
import type { Knex } from 'knex';
import { decideReply, ticketKeyOf, type Payload } from './core/reply.js';
import { isCustomer } from '../shared/roles.js';

// Same code and message as Directus's own refusal, so a refused reply tells nothing about the ticket.
const ReplyForbiddenError = createError('FORBIDDEN', "You don't have permission to access this.", 403);

interface Logger {
  info(object: object, message: string): void;
}

interface FilterContext {
  database: Knex;
  accountability: Accountability | null;
}

export function guardReplies(logger: Logger) {
  return async (payload: unknown, _meta: Record<string, unknown>, context: FilterContext): Promise<unknown> => {
    const accountability = context.accountability;
    if (!accountability?.user || accountability.admin) return payload;
    if (!isCustomer(accountability.roles, accountability.role)) return payload;
    const message = (payload ?? {}) as Payload;
    const database = context.database;
    const person = await database('directus_users').select('organization').where({ id: accountability.user }).first();
    const key = ticketKeyOf(message);
    const ticket = key ? await database('tickets').select('organization').where({ id: key }).first() : undefined;
    const decision = decideReply(message, {
      user: { id: accountability.user, customer: true, organization: person?.organization ?? null },
      ticketOrganization: ticket?.organization ?? null,
    });
    if (!decision.allowed) {
      logger.info({ reason: decision.reason }, 'customer reply refused');
      throw new ReplyForbiddenError();
    }
    return decision.payload;
  };
}

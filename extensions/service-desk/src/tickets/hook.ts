// Adapters for the ticket rules (core/tickets.ts), filters on tickets.items.create and tickets.items.update. Directus
// emits them for every write path (REST one and batch, GraphQL, nested writes through another collection, imports),
// create inside the write's transaction: the stored ticket and the people it names are read with the event's
// `database`, and a refusal rolls the whole write back. Permissions cannot do this: a validation sees the payload,
// not the organization of the user a key points to, nor the stored requester of the row being changed.
import type { Accountability } from '@directus/types';
import type { Knex } from 'knex';
import { isCustomer } from '../shared/roles.js';
import { colleagueChangeRefused, referenceOf, requesterRefusal, type Person, type Reference } from './core/tickets.js';
import { RequesterNotInOrganizationError, TicketForbiddenError } from './errors.js';

interface Logger {
  info(object: object, message: string): void;
}
interface FilterContext {
  database: Knex;
  accountability: Accountability | null;
}
type Payload = Record<string, unknown>;

/**
 * The people one transaction has read, by key: a batch or an import names the same few requesters on many rows, and
 * each row's filter would read them again (issue 11: the largest per-row cost left in an import). Only inside a
 * transaction, and dropped when that transaction writes users, roles, policies or access, the writes that change a
 * person's organization or staff status (a nested write earlier in the same batch is seen, as without the memo).
 */
const peopleByTransaction = new WeakMap<Knex, Map<string, Person | null>>();

/** The events after which a transaction's memo of people is dropped (registered in ../hook.ts). */
export const PEOPLE_CHANGING_EVENTS = ['users', 'roles', 'policies', 'access'].flatMap((scope) =>
  ['create', 'update', 'delete'].map((action) => `${scope}.${action}`),
);

/** Filter for PEOPLE_CHANGING_EVENTS: the transaction's memo goes before its write. */
export function forgetPeople() {
  return (payload: unknown, _meta: Record<string, unknown>, context: FilterContext) => {
    peopleByTransaction.delete(context.database);
    return payload;
  };
}

async function personOf(database: Knex, key: string): Promise<Person | null> {
  if (!(database as Knex.Transaction).isTransaction) return readPerson(database, key);
  let people = peopleByTransaction.get(database);
  if (!people) peopleByTransaction.set(database, (people = new Map()));
  if (!people.has(key)) people.set(key, await readPerson(database, key));
  return people.get(key)!;
}

async function readPerson(database: Knex, key: string): Promise<Person | null> {
  const row = (await database('directus_users as u')
    .select('u.organization')
    .select(
      database.raw(
        `exists (select 1 from directus_access a join directus_policies p on p.id = a.policy
                  where (a.role = u.role or a."user" = u.id) and (p.app_access or p.admin_access)) as staff`,
      ),
    )
    .where('u.id', key)
    .first()
    .catch(() => undefined)) as { organization: string | null; staff: boolean } | undefined;
  return row ? { organization: row.organization ?? null, staff: row.staff === true } : null;
}

async function check(database: Knex, organization: Reference, requester: Reference, logger: Logger) {
  const person = 'key' in requester && requester.key !== null ? await personOf(database, requester.key) : null;
  const reason = requesterRefusal(organization, requester, person);
  if (reason) {
    logger.info({ reason }, 'ticket refused: requester outside its organization');
    throw new RequesterNotInOrganizationError({ reason });
  }
}

/** Every caller (admins and jobs included): a ticket's requester belongs to its organization. */
export function requesterOnCreate(logger: Logger) {
  return async (payload: unknown, _meta: Record<string, unknown>, context: FilterContext) => {
    const ticket = (payload ?? {}) as Payload;
    await check(context.database, referenceOf(ticket.organization), referenceOf(ticket.requester), logger);
    return payload;
  };
}

/**
 * On update, the same rule for each changed ticket, with the stored value of whichever field the payload leaves
 * out; and a customer's rating or reopening only on tickets they requested.
 */
export function ticketUpdate(logger: Logger) {
  return async (payload: unknown, meta: Record<string, unknown>, context: FilterContext) => {
    const changes = (payload ?? {}) as Payload;
    const keys = ((meta.keys as unknown[] | undefined) ?? []).map(String);
    const accountability = context.accountability;
    const customer =
      !!accountability?.user && !accountability.admin && isCustomer(accountability.roles, accountability.role);
    const placement = 'organization' in changes || 'requester' in changes;
    if (keys.length === 0 || (!placement && !customer)) return payload;
    const stored = (await context
      .database('tickets')
      .select('id', 'organization', 'requester')
      .whereIn('id', keys)
      .catch(() => [])) as Array<{ id: string; organization: string | null; requester: string | null }>;
    for (const row of stored) {
      if (customer && colleagueChangeRefused(changes, accountability!.user!, row.requester)) {
        logger.info({ ticket: row.id }, 'customer change refused: only the requester rates or reopens a ticket');
        throw new TicketForbiddenError();
      }
      if (placement) {
        const organization = referenceOf('organization' in changes ? changes.organization : row.organization);
        const requester = referenceOf('requester' in changes ? changes.requester : row.requester);
        await check(context.database, organization, requester, logger);
      }
    }
    return payload;
  };
}

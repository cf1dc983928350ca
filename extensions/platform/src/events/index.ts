// Domain events through a transactional outbox: publishEvent writes the event row in the caller's transaction (SQL
// function groundwork_publish_event, also callable from triggers); the dispatcher (dispatcher.ts, started with the
// jobs runtime) then runs every matching handler. Delivery is at least once, in order per collection and item: a
// failing handler makes the whole dispatch retry, so handlers must be idempotent on event.id.
import type { Knex } from 'knex';
import { defineQueue, defineSchedule } from '../jobs/index.js';
import { assertEventPattern, assertEventType, matchesEventPattern } from './core/pattern.js';
import type { PublishedEvent } from './core/outbox.js';
import { deleteDispatchedEvents } from './store.js';

export type { PublishedEvent } from './core/outbox.js';
export { EVENTS_QUEUE, EVENTS_SETTING } from './core/outbox.js';

export interface DomainEvent {
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export type EventHandler = (event: PublishedEvent, ctx: { database: Knex }) => Promise<void>;

const handlers: Array<{ pattern: string; handler: EventHandler }> = [];

/** Set by the platform hook: the knex handlers get (Directus's database) and the retention in days. */
export const eventsContext = { database: null as Knex | null, retentionDays: 30 };

/** The event's id; null when events are off in this transaction (EVENTS_SETTING): nothing was published. */
export async function publishEvent(db: Knex | Knex.Transaction, event: DomainEvent): Promise<string | null> {
  assertEventType(event.type);
  const result = await db.raw<{ rows: Array<{ id: string | null }> }>(
    'SELECT public.groundwork_publish_event(?, ?, ?, ?::uuid, ?::jsonb) AS id',
    [event.type, event.collection, String(event.item), event.actor, JSON.stringify(event.data ?? {})],
  );
  const row = result.rows[0];
  if (!row) throw new Error('groundwork_publish_event returned no row');
  return row.id;
}

export function onEvent(typePattern: string, handler: EventHandler): void {
  assertEventPattern(typePattern);
  handlers.push({ pattern: typePattern, handler });
}

/** Runs every handler whose pattern matches, one after the other; the first that throws fails the dispatch. */
export async function deliverEvent(event: PublishedEvent, database: Knex): Promise<void> {
  for (const { pattern, handler } of handlers) {
    if (matchesEventPattern(pattern, event.type)) await handler(event, { database });
  }
}

/** The daily retention job's queue. */
export const EVENTS_RETENTION_QUEUE = 'groundwork.events-retention';

defineQueue(EVENTS_RETENTION_QUEUE, async () => {
  const database = eventsContext.database;
  if (!database) throw new Error('events: the runtime has not started');
  await deleteDispatchedEvents(database, eventsContext.retentionDays);
});
defineSchedule(EVENTS_RETENTION_QUEUE, '41 3 * * *');

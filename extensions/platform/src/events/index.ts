// Domain events through a transactional outbox: publishEvent writes the event row and the job that dispatches it in
// the caller's transaction (SQL function groundwork_publish_event, also callable from triggers); the worker then
// runs every matching handler. Delivery is at least once: a failing handler makes the whole dispatch retry, so
// handlers must be idempotent on event.id.
import type { Knex } from 'knex';
import { defineQueue, type Job } from '../jobs/index.js';
import { EVENTS_QUEUE } from '../jobs/install.js';
import { assertEventPattern, assertEventType, matchesEventPattern } from './core/pattern.js';

export interface DomainEvent {
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface PublishedEvent extends DomainEvent {
  id: string;
  occurredAt: string;
}

export type EventHandler = (event: PublishedEvent, ctx: { database: Knex }) => Promise<void>;

const handlers: Array<{ pattern: string; handler: EventHandler }> = [];

/** The knex handlers get; set by the runtime (Directus's database). */
export const eventsContext = { database: null as Knex | null };

export async function publishEvent(db: Knex | Knex.Transaction, event: DomainEvent): Promise<string> {
  assertEventType(event.type);
  const result = await db.raw<{ rows: Array<{ id: string }> }>(
    'SELECT public.groundwork_publish_event(?, ?, ?, ?::uuid, ?::jsonb) AS id',
    [event.type, event.collection, String(event.item), event.actor, JSON.stringify(event.data ?? {})],
  );
  const id = result.rows[0]?.id;
  if (!id) throw new Error('groundwork_publish_event returned no id');
  return id;
}

export function onEvent(typePattern: string, handler: EventHandler): void {
  assertEventPattern(typePattern);
  handlers.push({ pattern: typePattern, handler });
}

interface EventRow {
  id: string;
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
}

async function dispatch(job: Job<{ eventId: string }>): Promise<void> {
  const database = eventsContext.database;
  if (!database) throw new Error('events: the runtime has not started');
  const row = (await database<EventRow>('groundwork.domain_event').where({ id: job.data.eventId }).first()) as
    | EventRow
    | undefined;
  // The job commits with its event, so a missing row means it was deleted on purpose: nothing to deliver.
  if (!row) return;
  const event: PublishedEvent = {
    id: row.id,
    type: row.type,
    collection: row.collection,
    item: row.item,
    actor: row.actor,
    data: row.data,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
  for (const { pattern, handler } of handlers) {
    if (matchesEventPattern(pattern, event.type)) await handler(event, { database });
  }
  await database('groundwork.domain_event').where({ id: row.id }).update({ dispatched_at: database.fn.now() });
}

defineQueue<{ eventId: string }>(EVENTS_QUEUE, dispatch, { retryLimit: 8, retryDelaySeconds: 5 });

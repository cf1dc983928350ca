// The outbox's rules: the dispatch settings (the jobs core's retry and backoff, one place), what a failed attempt
// leads to, how a row becomes the event handlers see, and how outbox rows read as jobs of the queue
// `groundwork.events` on the jobs routes. Pure.
import { bossQueueSettings, retryDelaySeconds, type BossQueueSettings } from '../../jobs/core/queue-config.js';
import { deadLetterQueue } from '../../jobs/core/names.js';

/** The name events go by on the jobs routes and in the Jobs module (no pg-boss queue of that name is used). */
export const EVENTS_QUEUE = 'groundwork.events';

/** NOTIFY channel `groundwork_publish_event` signals at commit; the dispatcher LISTENs on it. */
export const EVENTS_CHANNEL = 'groundwork_events';

/**
 * The transaction setting that mutes events: `SET LOCAL groundwork.events = 'off'` makes groundwork_publish_event
 * write nothing for the rest of the transaction (imports without notify, seeds, bulk loads); the service desk's
 * triggers read it too, to skip their own work.
 */
export const EVENTS_SETTING = 'groundwork.events';

/** Retries, backoff and lease of an event's dispatch, as for a job: 8 retries from 5 s doubling, 15 min lease. */
export const EVENT_DISPATCH_SETTINGS: BossQueueSettings = bossQueueSettings(EVENTS_QUEUE, {
  retryLimit: 8,
  retryDelaySeconds: 5,
});

export type DispatchSettings = Pick<
  BossQueueSettings,
  'retryLimit' | 'retryDelay' | 'retryBackoff' | 'retryDelayMax' | 'expireInSeconds'
>;

export interface EventRow {
  id: string;
  seq: string | number;
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
  attempts: number;
}

export interface PublishedEvent {
  id: string;
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
  occurredAt: string;
}

export function toPublishedEvent(row: EventRow): PublishedEvent {
  return {
    id: row.id,
    type: row.type,
    collection: row.collection,
    item: row.item,
    actor: row.actor,
    data: row.data ?? {},
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}

export type FailureOutcome = { dead: true } | { dead: false; delaySeconds: number };

/** After attempt number `attempts` failed: dead once every retry is spent, else wait as a job's retry would. */
export function afterFailure(attempts: number, settings: DispatchSettings, random?: number): FailureOutcome {
  if (attempts > settings.retryLimit) return { dead: true };
  return { dead: false, delaySeconds: retryDelaySeconds(settings, Math.max(attempts, 1), random) };
}

/** An error as stored in `last_error` and shown to staff: name and message, never the stack (as pg-boss's output). */
export function storedError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Outbox rows shaped as pg-boss job rows (the columns the jobs routes read), so one query, one status mapping and
 * one view serve both: a dead event is a job in `groundwork.events.dead`, a dispatched one a completed job, a leased
 * one active, one with failed attempts retrying, the rest queued (or scheduled, by next_attempt_at).
 */
export function eventJobsSql(settings: Pick<DispatchSettings, 'retryLimit'>): string {
  const limit = Math.trunc(settings.retryLimit);
  const queue = `'${EVENTS_QUEUE}'`;
  return `SELECT
    e.id,
    CASE WHEN e.dead_at IS NOT NULL THEN '${deadLetterQueue(EVENTS_QUEUE)}' ELSE ${queue} END AS name,
    CASE
      WHEN e.dead_at IS NOT NULL THEN 'created'
      WHEN e.dispatched_at IS NOT NULL THEN 'completed'
      WHEN e.locked_until > now() THEN 'active'
      WHEN e.attempts > 0 THEN 'retry'
      ELSE 'created'
    END AS state,
    greatest(e.attempts - 1, 0) AS retry_count,
    ${limit} AS retry_limit,
    NULL::text AS singleton_key,
    jsonb_build_object('eventId', e.id, 'type', e.type, 'collection', e.collection, 'item', e.item) AS data,
    e.last_error AS output,
    e.occurred_at AS created_on,
    CASE WHEN e.dead_at IS NOT NULL THEN e.dead_at ELSE e.next_attempt_at END AS start_after,
    CASE WHEN e.attempts > 0 THEN e.claimed_at END AS started_on,
    coalesce(e.dispatched_at, e.dead_at) AS completed_on,
    CASE WHEN e.dead_at IS NOT NULL THEN ${queue} END AS source_name,
    CASE WHEN e.dead_at IS NOT NULL THEN greatest(e.attempts - 1, 0) END AS source_retry_count,
    CASE WHEN e.dead_at IS NOT NULL THEN e.last_error END AS source_output,
    CASE WHEN e.dead_at IS NOT NULL THEN ${limit} END AS source_retry_limit
  FROM groundwork.domain_event e`;
}

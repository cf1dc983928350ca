// Dispatches domain events straight from the outbox table (decision 0025). One dispatcher per instance claims due
// events with FOR UPDATE SKIP LOCKED (so instances never claim the same event), leases them, runs their handlers
// and stamps each: dispatched, retrying after the jobs' backoff, or dead once its retries are spent. An event is
// not claimed while an earlier event of the same collection and item is still open (queued, running, retrying):
// handlers see each item's events in order. NOTIFY from groundwork_publish_event wakes it at once; polling finds
// retries, expired leases (a crashed instance's) and everything when LISTEN is unavailable.
import type { Knex } from 'knex';
import { loggableError } from '../logging/core/redact.js';
import { listen } from '../shared/pg-listen.js';
import {
  afterFailure,
  EVENTS_CHANNEL,
  storedError,
  toPublishedEvent,
  type DispatchSettings,
  type EventRow,
  type PublishedEvent,
} from './core/outbox.js';

export interface DispatcherLogger {
  info(details: object | string, message?: string): void;
  warn(details: object | string, message?: string): void;
  error(details: object | string, message?: string): void;
}

export interface DispatcherOptions {
  database: Knex;
  deliver: (event: PublishedEvent) => Promise<void>;
  settings: DispatchSettings;
  /** Events claimed and run at once; a full batch is followed by another claim at once. */
  batchSize: number;
  pollIntervalMs: number;
  /** LISTEN for NOTIFY on a connection of its own (not PgBouncer in transaction mode). */
  listen: boolean;
  logger: DispatcherLogger;
  /** Jitter source for the backoff (tests pin it). */
  random?: () => number;
}

export interface EventDispatcher {
  /** Claim now instead of at the next poll. */
  wake(): void;
  /** Stop claiming, give running handlers `timeoutMs`, then hand what is still running back to other instances. */
  stop(timeoutMs: number): Promise<void>;
}

const OPEN = 'e.dispatched_at IS NULL AND e.dead_at IS NULL';

// Due, open, not leased (or its lease ran out), retries left, and no earlier open event of the same item. SKIP
// LOCKED: a row another dispatcher is claiming is passed over, and so are the later events of its item, since that
// row is still open. The claim is an attempt: attempts counts runs started, as a job's retry count does.
const CLAIM = `
  WITH due AS (
    SELECT e.id FROM groundwork.domain_event e
    WHERE ${OPEN} AND e.next_attempt_at <= now() AND e.attempts <= :retryLimit
      AND (e.locked_until IS NULL OR e.locked_until <= now())
      AND NOT EXISTS (
        SELECT 1 FROM groundwork.domain_event p
        WHERE p.collection = e.collection AND p.item = e.item AND p.seq < e.seq
          AND p.dispatched_at IS NULL AND p.dead_at IS NULL
      )
    ORDER BY e.seq
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
  )
  UPDATE groundwork.domain_event e
  SET attempts = e.attempts + 1, claimed_at = now(), locked_until = now() + make_interval(secs => :lease)
  FROM due WHERE e.id = due.id
  RETURNING e.id, e.seq, e.type, e.collection, e.item, e.actor, e.data, e.occurred_at, e.attempts`;

// A lease that ran out on the last attempt (its instance died mid-run): dead, as a job that expires on its last try.
const EXPIRE = `
  UPDATE groundwork.domain_event e
  SET dead_at = now(), locked_until = NULL,
      last_error = jsonb_build_object('name', 'Error', 'message', 'the dispatch lease ran out on the last attempt')
  WHERE ${OPEN} AND e.locked_until <= now() AND e.attempts > :retryLimit`;

export function startEventDispatcher(options: DispatcherOptions): EventDispatcher {
  const { database, settings, logger } = options;
  const random = options.random ?? Math.random;
  const running = new Set<string>();
  let stopping = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let batch: Promise<void> = Promise.resolve();

  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  async function markFailed(row: EventRow, error: unknown): Promise<void> {
    // Handlers' errors may quote what they handled: no addresses in the log.
    logger.warn(
      { eventId: row.id, type: row.type, attempt: row.attempts, err: loggableError(error) },
      'event dispatch failed',
    );
    const outcome = afterFailure(row.attempts, settings, random());
    const lastError = JSON.stringify(storedError(error));
    if (outcome.dead) {
      await database.raw(
        'UPDATE groundwork.domain_event SET dead_at = now(), locked_until = NULL, last_error = ?::jsonb WHERE id = ?',
        [lastError, row.id],
      );
    } else {
      await database.raw(
        `UPDATE groundwork.domain_event
         SET next_attempt_at = now() + make_interval(secs => ?), locked_until = NULL, last_error = ?::jsonb
         WHERE id = ?`,
        [outcome.delaySeconds, lastError, row.id],
      );
    }
  }

  /** Runs one claimed event and records the outcome; never rejects (a lost write leaves the lease to run out). */
  async function settle(row: EventRow): Promise<void> {
    try {
      try {
        await options.deliver(toPublishedEvent(row));
        await database('groundwork.domain_event')
          .where({ id: row.id })
          .update({ dispatched_at: database.fn.now(), locked_until: null, last_error: null });
      } catch (error) {
        await markFailed(row, error);
      }
    } catch (error) {
      logger.error({ eventId: row.id, err: loggableError(error) }, 'events: could not record a dispatch outcome');
    } finally {
      running.delete(row.id);
    }
  }

  async function claimAndRun(): Promise<number> {
    await database.raw(EXPIRE, { retryLimit: settings.retryLimit });
    const { rows } = await database.raw<{ rows: EventRow[] }>(CLAIM, {
      retryLimit: settings.retryLimit,
      limit: options.batchSize,
      lease: settings.expireInSeconds,
    });
    for (const row of rows) running.add(row.id);
    batch = Promise.all(rows.map((row) => settle(row))).then(() => undefined);
    await batch;
    return rows.length;
  }

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(resolve, options.pollIntervalMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      wakeUp = null;
      woken = false;
    });

  const loop = (async () => {
    while (!stopping) {
      let claimed = 0;
      try {
        woken = false;
        claimed = await claimAndRun();
      } catch (error) {
        logger.error({ err: error }, 'events: claiming failed');
      }
      if (stopping) break;
      if (claimed < options.batchSize) await sleep();
    }
  })();

  // Anything published while nobody listened is found by a claim at once rather than at the next poll.
  const listener = options.listen
    ? listen({
        database,
        channel: EVENTS_CHANNEL,
        onNotify: () => wake(),
        onListening: () => wake(),
        logger,
        label: 'events',
        retryMs: options.pollIntervalMs,
      })
    : null;

  let stopped: Promise<void> | null = null;
  return {
    wake,
    stop(timeoutMs: number) {
      stopped ??= (async () => {
        stopping = true;
        wakeUp?.();
        await listener?.close();
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const outcome = await Promise.race([loop.then(() => batch).then(() => 'drained' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout' && running.size > 0) {
          // Not a failed attempt: give it back with the attempt uncounted, for any instance to claim at once.
          const ids = [...running];
          await database('groundwork.domain_event')
            .whereIn('id', ids)
            .whereNull('dispatched_at')
            .whereNull('dead_at')
            .update({ locked_until: null, attempts: database.raw('greatest(attempts - 1, 0)') });
          logger.warn({ events: ids.length }, 'events: handed running events back after the drain timeout');
        }
      })();
      return stopped;
    },
  };
}

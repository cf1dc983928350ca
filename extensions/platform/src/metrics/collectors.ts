// The platform's scrape-time collectors: one cheap query each over pg-boss's jobs, the events outbox and the
// notification outbox, and the knex pool's counters (no query). The row-to-sample logic is in core/sources.ts.
import type { Knex } from 'knex';
import { checkReadiness, type Probe } from '../health/core/readiness.js';
import { BOSS_SCHEMA } from '../jobs/core/names.js';
import { CHANNELS } from '../notifications/core/rules.js';
import { OUTBOX as NOTIFICATION_OUTBOX } from '../notifications/store.js';
import type { Collector } from './core/registry.js';
import {
  JOBS_GAUGES,
  jobSamples,
  NOTIFICATION_GAUGES,
  notificationSamples,
  OUTBOX_GAUGES,
  outboxSamples,
  POOL_GAUGES,
  poolSamples,
  READINESS_GAUGES,
  readinessSamples,
  type JobCountRow,
  type OutboxRow,
} from './core/sources.js';

// Completed and cancelled jobs are left out: pg-boss keeps them for days, and they are no queue.
const JOBS_SQL = `
  SELECT name, state::text AS state,
    count(*) FILTER (WHERE start_after <= now()) AS due,
    count(*) FILTER (WHERE start_after > now()) AS scheduled,
    extract(epoch FROM now() - min(created_on) FILTER (WHERE start_after <= now()))::float8 AS oldest_seconds
  FROM ${BOSS_SCHEMA}.job
  WHERE state IN ('created', 'retry', 'active', 'failed')
  GROUP BY name, state`;

// Served by the outbox's partial indexes (open and dead events): dispatched events are not read.
const OUTBOX_SQL = `
  SELECT count(*) FILTER (WHERE dead_at IS NULL) AS open,
    count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead,
    extract(epoch FROM now() - min(occurred_at) FILTER (WHERE dead_at IS NULL))::float8 AS oldest_seconds
  FROM groundwork.domain_event
  WHERE dispatched_at IS NULL`;

export function jobsCollector(database: Knex, knownQueues: () => Iterable<string>): Collector {
  return {
    name: 'jobs',
    gauges: JOBS_GAUGES,
    async collect() {
      const { rows } = (await database.raw(JOBS_SQL)) as { rows: JobCountRow[] };
      return jobSamples(rows, knownQueues());
    },
  };
}

export function outboxCollector(database: Knex): Collector {
  return {
    name: 'events',
    gauges: OUTBOX_GAUGES,
    async collect() {
      const { rows } = (await database.raw(OUTBOX_SQL)) as { rows: OutboxRow[] };
      return outboxSamples(rows[0]!);
    },
  };
}

export function notificationsCollector(database: Knex): Collector {
  return {
    name: 'notifications',
    gauges: NOTIFICATION_GAUGES,
    async collect() {
      const rows = (await database(NOTIFICATION_OUTBOX)
        .select('channel', 'status')
        .count({ count: '*' })
        .groupBy('channel', 'status')) as Array<{ channel: string; status: string; count: string }>;
      return notificationSamples(rows, CHANNELS);
    },
  };
}

interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

export function poolCollector(database: Knex): Collector {
  return {
    name: 'db_pool',
    gauges: POOL_GAUGES,
    collect() {
      const pool = (database.client as { pool?: TarnPool }).pool;
      if (!pool) return [];
      return poolSamples({
        used: pool.numUsed(),
        free: pool.numFree(),
        pendingAcquires: pool.numPendingAcquires(),
        pendingCreates: pool.numPendingCreates(),
        max: pool.max,
      });
    },
  };
}

/** The readiness probes (the same checks as /groundwork/v1/health/ready), as gauges. */
export function readinessCollector(probes: Probe[], timeoutMs: number): Collector {
  return {
    name: 'readiness',
    gauges: READINESS_GAUGES,
    async collect() {
      return readinessSamples(await checkReadiness(probes, { timeoutMs }));
    },
  };
}

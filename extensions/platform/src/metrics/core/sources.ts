// The platform's own gauges: what each collector reads (as rows) turned into samples. Pure; the SQL and the pool
// reads are in ../collectors.ts.
import { sourceOfDeadLetterQueue } from '../../jobs/core/names.js';
import type { GaugeSpec, Sample } from './registry.js';

export const JOBS_GAUGES: GaugeSpec[] = [
  {
    name: 'groundwork_jobs',
    help: 'pg-boss jobs by queue and state: queued (due now), scheduled (later), active, retrying, failed, dead (in the dead-letter queue).',
    labelNames: ['queue', 'state'],
  },
  {
    name: 'groundwork_jobs_oldest_queued_age_seconds',
    help: 'Age of the oldest job that is due and waiting for a worker, by queue (0: none waiting).',
    labelNames: ['queue'],
  },
];

export const JOB_STATES = ['queued', 'scheduled', 'active', 'retrying', 'failed', 'dead'] as const;

/** One row per pg-boss (queue, state): due and scheduled counts, and the oldest due job's age. */
export interface JobCountRow {
  name: string;
  state: string;
  due: number | string;
  scheduled: number | string;
  oldest_seconds: number | string | null;
}

/** Every known queue gets every state (0 when empty): an alert on `dead` must see 0, not nothing. */
export function jobSamples(rows: JobCountRow[], knownQueues: Iterable<string>): Sample[] {
  const counts = new Map<string, Record<(typeof JOB_STATES)[number], number> & { oldest: number }>();
  const entry = (queue: string) => {
    let found = counts.get(queue);
    if (!found) {
      found = { queued: 0, scheduled: 0, active: 0, retrying: 0, failed: 0, dead: 0, oldest: 0 };
      counts.set(queue, found);
    }
    return found;
  };
  for (const queue of knownQueues) if (sourceOfDeadLetterQueue(queue) === null) entry(queue);
  for (const row of rows) {
    // pg-boss's own queues (`__pgboss__send-it`) are its plumbing, not ours.
    if (row.name.startsWith('__pgboss__')) continue;
    const due = Number(row.due);
    const scheduled = Number(row.scheduled);
    const source = sourceOfDeadLetterQueue(row.name);
    if (source !== null) {
      if (row.state === 'created' || row.state === 'retry') entry(source).dead += due + scheduled;
      continue;
    }
    const queue = entry(row.name);
    if (row.state === 'created') {
      queue.queued += due;
      queue.scheduled += scheduled;
      if (row.oldest_seconds !== null) queue.oldest = Math.max(queue.oldest, Number(row.oldest_seconds));
    } else if (row.state === 'retry') queue.retrying += due + scheduled;
    else if (row.state === 'active') queue.active += due + scheduled;
    else if (row.state === 'failed') queue.failed += due + scheduled;
  }
  const samples: Sample[] = [];
  for (const [queue, values] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    for (const state of JOB_STATES)
      samples.push({ name: 'groundwork_jobs', labels: { queue, state }, value: values[state] });
    samples.push({ name: 'groundwork_jobs_oldest_queued_age_seconds', labels: { queue }, value: values.oldest });
  }
  return samples;
}

export const OUTBOX_GAUGES: GaugeSpec[] = [
  {
    name: 'groundwork_events_outbox',
    help: 'Undispatched domain events in the outbox: open (to dispatch or retrying) and dead (given up, waiting for an admin).',
    labelNames: ['state'],
  },
  {
    name: 'groundwork_events_outbox_lag_seconds',
    help: 'Age of the oldest open (undispatched, not dead) domain event (0: none).',
  },
];

export interface OutboxRow {
  open: number | string;
  dead: number | string;
  oldest_seconds: number | string | null;
}

export function outboxSamples(row: OutboxRow): Sample[] {
  return [
    { name: 'groundwork_events_outbox', labels: { state: 'open' }, value: Number(row.open) },
    { name: 'groundwork_events_outbox', labels: { state: 'dead' }, value: Number(row.dead) },
    {
      name: 'groundwork_events_outbox_lag_seconds',
      value: row.oldest_seconds === null ? 0 : Number(row.oldest_seconds),
    },
  ];
}

export const NOTIFICATION_GAUGES: GaugeSpec[] = [
  {
    name: 'groundwork_notifications',
    help: 'Rows of the notification outbox by channel and status (sent: delivered; failed: given up; pending/sending: on their way).',
    labelNames: ['channel', 'status'],
  },
];

/** The outbox's statuses and channels (notifications/core): fixed, so the labels stay few. */
export const NOTIFICATION_STATUSES = ['pending', 'held', 'sending', 'sent', 'digested', 'skipped', 'failed'] as const;

export function notificationSamples(
  rows: Array<{ channel: string; status: string; count: number | string }>,
  channels: readonly string[],
): Sample[] {
  const counts = new Map<string, number>();
  for (const channel of channels)
    for (const status of NOTIFICATION_STATUSES) counts.set(`${channel}\u0000${status}`, 0);
  for (const row of rows) {
    const key = `${row.channel}\u0000${row.status}`;
    // A value outside the known sets would be a new series per typo: left out.
    if (counts.has(key)) counts.set(key, counts.get(key)! + Number(row.count));
  }
  return [...counts].map(([key, value]) => {
    const [channel, status] = key.split('\u0000') as [string, string];
    return { name: 'groundwork_notifications', labels: { channel, status }, value };
  });
}

export const POOL_GAUGES: GaugeSpec[] = [
  {
    name: 'groundwork_db_pool_connections',
    help: "Directus's database pool (knex/tarn) on this instance: used, free, and pending (requests waiting for a connection).",
    labelNames: ['state'],
  },
  { name: 'groundwork_db_pool_max_connections', help: "The pool's size limit (DB_POOL__MAX)." },
];

export interface PoolStats {
  used: number;
  free: number;
  pendingAcquires: number;
  pendingCreates: number;
  max: number;
}

export function poolSamples(pool: PoolStats): Sample[] {
  return [
    { name: 'groundwork_db_pool_connections', labels: { state: 'used' }, value: pool.used },
    { name: 'groundwork_db_pool_connections', labels: { state: 'free' }, value: pool.free },
    { name: 'groundwork_db_pool_connections', labels: { state: 'pending' }, value: pool.pendingAcquires },
    { name: 'groundwork_db_pool_connections', labels: { state: 'creating' }, value: pool.pendingCreates },
    { name: 'groundwork_db_pool_max_connections', value: pool.max },
  ];
}

export const READINESS_GAUGES: GaugeSpec[] = [
  {
    name: 'groundwork_ready',
    help: 'Readiness as GET /groundwork/v1/health/ready sees it at scrape time: 1 ready, 0 a dependency is down.',
  },
  {
    name: 'groundwork_dependency_up',
    help: 'Each readiness dependency (postgres, redis when configured): 1 up, 0 down.',
    labelNames: ['dependency'],
  },
];

export function readinessSamples(report: {
  status: 'ready' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down' }>;
}): Sample[] {
  return [
    { name: 'groundwork_ready', value: report.status === 'ready' ? 1 : 0 },
    ...Object.entries(report.checks).map(([dependency, check]) => ({
      name: 'groundwork_dependency_up',
      labels: { dependency },
      value: check.status === 'up' ? 1 : 0,
    })),
  ];
}

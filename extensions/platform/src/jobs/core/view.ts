// A stored pg-boss job as staff see it, and the one query shape that lists pg-boss's jobs with the outbox's
// events. Pure.
import { EVENT_DISPATCH_SETTINGS, eventJobsSql } from '../../events/core/outbox.js';
import { BOSS_SCHEMA, INTERNAL_QUEUE_PREFIX, sourceOfDeadLetterQueue } from './names.js';
import { errorMessage, jobStatus, type BossState, type JobStatus } from './queue-config.js';

export interface JobRow {
  id: string;
  name: string;
  state: BossState;
  retry_count: number;
  retry_limit: number;
  singleton_key: string | null;
  data: unknown;
  output: unknown;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  source_name: string | null;
  source_retry_count: number | null;
  source_output: unknown;
  source_retry_limit?: number | null;
}

/** The columns the jobs routes read, in the order both halves of jobsAndEventsSql give them. */
export const JOB_COLUMNS = [
  'j.id',
  'j.name',
  'j.state',
  'j.retry_count',
  'j.retry_limit',
  'j.singleton_key',
  'j.data',
  'j.output',
  'j.created_on',
  'j.start_after',
  'j.started_on',
  'j.completed_on',
  'j.source_name',
  'j.source_retry_count',
  'j.source_output',
  'j.source_retry_limit',
];

// pg-boss's state is an enum and its jobs carry no source retry limit: cast and fill them for the union.
const bossColumn = (column: string) =>
  column === 'j.state'
    ? 'j.state::text AS state'
    : column === 'j.source_retry_limit'
      ? 'NULL::integer AS source_retry_limit'
      : column;

/** pg-boss's jobs and the outbox's events (as jobs of `groundwork.events`, see eventJobsSql) as one row set. */
export function jobsAndEventsSql(): string {
  // pg-boss's internal queues are its own bookkeeping, not work staff can act on.
  const jobs = `SELECT ${JOB_COLUMNS.map(bossColumn).join(', ')} FROM ${BOSS_SCHEMA}.job j WHERE NOT starts_with(j.name, '${INTERNAL_QUEUE_PREFIX}')`;
  return `${jobs} UNION ALL ${eventJobsSql(EVENT_DISPATCH_SETTINGS)}`;
}

export interface JobView {
  id: string;
  queue: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  singletonKey: string | null;
  createdOn: string;
  startAfter: string;
  startedOn: string | null;
  completedOn: string | null;
  data?: unknown;
}

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

export function toJobView(row: JobRow, now: Date, options: { includeData: boolean }): JobView {
  const status = jobStatus(row.name, row.state, new Date(row.start_after), now);
  const source = sourceOfDeadLetterQueue(row.name);
  const dead = status === 'dead';
  // retry_count goes up each time a job is claimed again, so a started job has had retry_count + 1 runs.
  const attempts = dead
    ? (row.source_retry_count ?? 0) + 1
    : row.started_on === null
      ? row.retry_count
      : row.retry_count + 1;
  const maxAttempts = dead ? (row.source_retry_limit ?? row.source_retry_count ?? 0) + 1 : row.retry_limit + 1;
  return {
    id: row.id,
    queue: dead ? (row.source_name ?? source ?? row.name) : row.name,
    status,
    attempts,
    maxAttempts,
    error: errorMessage(dead ? row.source_output : row.output),
    singletonKey: row.singleton_key,
    createdOn: iso(row.created_on) as string,
    startAfter: iso(row.start_after) as string,
    startedOn: iso(row.started_on),
    completedOn: iso(row.completed_on),
    ...(options.includeData ? { data: row.data } : {}),
  };
}

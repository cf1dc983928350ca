// A stored pg-boss job as staff see it. Pure.
import { sourceOfDeadLetterQueue } from './names.js';
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

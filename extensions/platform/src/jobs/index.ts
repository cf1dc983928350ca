// The jobs API other capabilities use. Queues and schedules are declared at hook registration time and started by
// the platform hook (runtime.ts); enqueueing is one SQL call in the caller's transaction, so it needs no running
// worker on this instance. Other bundles reach the same functions through globalThis (see ../platform-api.ts).
import type { Knex } from 'knex';
import { assertQueueName } from './core/names.js';
import { assertCron } from './core/schedule.js';
import { bossQueueSettings, type QueueOptions } from './core/queue-config.js';

export type { QueueOptions } from './core/queue-config.js';
export { singletonKey } from './core/names.js';

export interface Job<T> {
  id: string;
  queue: string;
  data: T;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
}

export interface EnqueueOptions {
  /** At most one live job (queued, retrying or active) per queue and key: a second enqueue returns null. */
  singletonKey?: string;
  startAfterSeconds?: number;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface QueueDefinition {
  name: string;
  handler: JobHandler<never>;
  options: QueueOptions;
}

export interface ScheduleDefinition {
  queue: string;
  cron: string;
  data: object;
}

/** Filled at hook registration time, read by the runtime when Directus has loaded every extension. */
export const jobsRegistry = {
  queues: new Map<string, QueueDefinition>(),
  schedules: new Map<string, ScheduleDefinition>(),
  /** Set by the runtime once it runs, so a queue defined later (a bundle loaded late) still gets a worker. */
  onDefine: null as ((definition: QueueDefinition) => Promise<void>) | null,
  onSchedule: null as ((definition: ScheduleDefinition) => Promise<void>) | null,
};

export function defineQueue<T>(name: string, handler: JobHandler<T>, options: QueueOptions = {}): void {
  assertQueueName(name);
  bossQueueSettings(name, options); // fails now, at registration, on a bad option
  if (jobsRegistry.queues.has(name)) throw new Error(`Queue "${name}" is defined twice`);
  const definition: QueueDefinition = { name, handler: handler as JobHandler<never>, options };
  jobsRegistry.queues.set(name, definition);
  void jobsRegistry.onDefine?.(definition);
}

/**
 * Inserts a job in `db`'s transaction (pass the hook's `database`, or a `trx`): if the transaction rolls back there is
 * no job; once it commits the job runs. Returns the job id, or null when a live job with the same singleton key
 * exists.
 */
export async function enqueue<T>(
  db: Knex | Knex.Transaction,
  queue: string,
  data: T,
  options: EnqueueOptions = {},
): Promise<string | null> {
  assertQueueName(queue);
  const delay = options.startAfterSeconds ?? 0;
  if (!Number.isFinite(delay) || delay < 0) throw new Error('startAfterSeconds must be a number >= 0');
  const result = await db.raw<{ rows: Array<{ id: string | null }> }>(
    'SELECT public.groundwork_enqueue(?, ?::jsonb, ?, ?) AS id',
    [queue, JSON.stringify(data ?? null), options.singletonKey ?? null, Math.ceil(delay)],
  );
  return result.rows[0]?.id ?? null;
}

/**
 * A cron schedule (5 fields, UTC, minute resolution) that enqueues `data` on `queue`; one schedule per queue (defining
 * it again replaces it). pg-boss claims each cron pass with a database lock and files each occurrence under its
 * minute, so it runs once per tick across all instances.
 */
export function defineSchedule(queue: string, cron: string, data: object = {}): void {
  assertQueueName(queue);
  assertCron(cron);
  const definition: ScheduleDefinition = { queue, cron, data };
  jobsRegistry.schedules.set(queue, definition);
  void jobsRegistry.onSchedule?.(definition);
}

// How a queue definition becomes pg-boss settings, how long retries wait, and what a stored job's state means to
// staff. Pure.
import { deadLetterQueue, isDeadLetterQueue } from './names.js';

export interface QueueOptions {
  /** Retries after the first attempt before the job goes to the dead-letter queue (default 5). */
  retryLimit?: number;
  /** Delay before the first retry, in seconds (default 10). */
  retryDelaySeconds?: number;
  /** Double the delay on each retry, with jitter (default true). */
  retryBackoff?: boolean;
  /** A job running longer than this is taken back and retried (default 15 minutes). */
  expireInSeconds?: number;
  /** Jobs of this queue running at once on one instance (default JOBS_CONCURRENCY). */
  concurrency?: number;
  /**
   * Long jobs: the worker refreshes the job's heartbeat every half of this (pg-boss does it while the handler runs);
   * a job whose heartbeat is older is taken back and retried, so a killed worker's job need not wait out its expiry.
   * At least 10 (pg-boss's minimum).
   */
  heartbeatSeconds?: number;
}

export const QUEUE_DEFAULTS = {
  retryLimit: 5,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
  /** The longest wait between two retries with backoff. */
  retryDelayMaxSeconds: 60 * 60,
} as const;

/** Dead letters wait for an admin this long before pg-boss deletes them. */
export const DEAD_LETTER_RETENTION_SECONDS = 60 * 60 * 24 * 90;

export interface BossQueueSettings {
  name: string;
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  retryDelayMax: number;
  expireInSeconds: number;
  deadLetter: string;
  notify: true;
  heartbeatSeconds?: number;
}

export function bossQueueSettings(name: string, options: QueueOptions = {}): BossQueueSettings {
  const retryLimit = options.retryLimit ?? QUEUE_DEFAULTS.retryLimit;
  const retryDelay = options.retryDelaySeconds ?? QUEUE_DEFAULTS.retryDelaySeconds;
  const expireInSeconds = options.expireInSeconds ?? QUEUE_DEFAULTS.expireInSeconds;
  if (!Number.isInteger(retryLimit) || retryLimit < 0)
    throw new Error(`${name}: retryLimit must be a whole number >= 0`);
  if (!Number.isInteger(retryDelay) || retryDelay < 0) throw new Error(`${name}: retryDelaySeconds must be >= 0`);
  if (!Number.isInteger(expireInSeconds) || expireInSeconds < 1)
    throw new Error(`${name}: expireInSeconds must be >= 1`);
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1)) {
    throw new Error(`${name}: concurrency must be a whole number >= 1`);
  }
  const heartbeat = options.heartbeatSeconds;
  if (heartbeat !== undefined && (!Number.isInteger(heartbeat) || heartbeat < 10))
    throw new Error(`${name}: heartbeatSeconds must be a whole number >= 10`);
  return {
    name,
    retryLimit,
    retryDelay,
    retryBackoff: options.retryBackoff ?? QUEUE_DEFAULTS.retryBackoff,
    retryDelayMax: QUEUE_DEFAULTS.retryDelayMaxSeconds,
    expireInSeconds,
    deadLetter: deadLetterQueue(name),
    notify: true,
    ...(heartbeat === undefined ? {} : { heartbeatSeconds: heartbeat }),
  };
}

/**
 * The wait before retry number `retry` (1 = the first retry), in seconds, as pg-boss computes it
 * (plans.js failJobs: `max(delay, 1) * (2^n / 2 + 2^n / 2 * random())`, n = this retry's number capped at 16, then
 * capped at the maximum).
 */
export function retryDelayRange(
  settings: Pick<BossQueueSettings, 'retryDelay' | 'retryBackoff' | 'retryDelayMax'>,
  retry: number,
) {
  if (!settings.retryBackoff) return { min: settings.retryDelay, max: settings.retryDelay };
  const half = 2 ** Math.min(16, retry) / 2;
  const delay = Math.max(settings.retryDelay, 1);
  const cap = (seconds: number) => Math.min(settings.retryDelayMax, seconds);
  return { min: cap(delay * half), max: cap(delay * half * 2) };
}

/**
 * The wait before retry number `retry`, in seconds: a point in retryDelayRange picked by `random` (0..1), the same
 * formula pg-boss uses. For retries that we schedule ourselves (the events dispatcher), so they back off as jobs do.
 */
export function retryDelaySeconds(
  settings: Pick<BossQueueSettings, 'retryDelay' | 'retryBackoff' | 'retryDelayMax'>,
  retry: number,
  random: number = Math.random(),
): number {
  const { min, max } = retryDelayRange(settings, retry);
  return min + (max - min) * Math.min(Math.max(random, 0), 1);
}

export const JOB_STATUSES = [
  'queued',
  'scheduled',
  'active',
  'retrying',
  'completed',
  'cancelled',
  'failed',
  'dead',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type BossState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/**
 * What a stored job means to staff. A job in a dead-letter queue waits for an admin (dead) until someone works it;
 * `failed` is the original that ran out of retries (its copy is the dead letter); `retrying` waits out its backoff.
 */
export function jobStatus(queue: string, state: BossState, startAfter: Date, now: Date): JobStatus {
  if (isDeadLetterQueue(queue)) {
    if (state === 'created' || state === 'retry') return 'dead';
    return state === 'active' ? 'active' : state;
  }
  if (state === 'created') return startAfter.getTime() > now.getTime() ? 'scheduled' : 'queued';
  if (state === 'retry') return 'retrying';
  return state;
}

/** The pg-boss states (and queue kind) a status filter selects. */
export function statesForStatus(status: JobStatus): { deadLetter: boolean; states: BossState[] } {
  switch (status) {
    case 'dead':
      return { deadLetter: true, states: ['created', 'retry'] };
    case 'queued':
    case 'scheduled':
      return { deadLetter: false, states: ['created'] };
    case 'retrying':
      return { deadLetter: false, states: ['retry'] };
    default:
      return { deadLetter: false, states: [status] };
  }
}

/** The message of a job's last error, from pg-boss's serialised output; never the stack. */
export function errorMessage(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  if (typeof output === 'string') return output;
  if (typeof output === 'object' && 'message' in output && typeof output.message === 'string') return output.message;
  return null;
}

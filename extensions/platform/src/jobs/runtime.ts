// Starts pg-boss with Directus: installs our SQL objects, creates every defined queue (with its dead-letter queue),
// registers schedules and, unless JOBS_WORKER=false, works the queues and dispatches domain events from the outbox. On SIGTERM/SIGINT it drains: no new jobs are
// fetched, running ones get JOBS_SHUTDOWN_TIMEOUT_MS to finish, and pg-boss fails what is still running so another
// instance retries it.
import type { Knex } from 'knex';
import { PgBoss, type ConstructorOptions, type JobResult } from 'pg-boss';
import { EVENT_DISPATCH_SETTINGS } from '../events/core/outbox.js';
import { startEventDispatcher, type EventDispatcher } from '../events/dispatcher.js';
import { deliverEvent } from '../events/index.js';
import { loggableError } from '../logging/core/redact.js';
import type { PlatformEnv } from '../shared/env.js';
import { BOSS_SCHEMA, deadLetterQueue } from './core/names.js';
import { bossQueueSettings, DEAD_LETTER_RETENTION_SECONDS } from './core/queue-config.js';
import { jobsRegistry, type QueueDefinition, type ScheduleDefinition } from './index.js';
import { installDatabaseObjects } from './install.js';
import { jobFailed } from '../metrics/index.js';

export interface JobsLogger {
  info(details: object | string, message?: string): void;
  warn(details: object | string, message?: string): void;
  error(details: object | string, message?: string): void;
}

export interface JobsRuntime {
  boss: PgBoss;
  worker: boolean;
  stop(): Promise<void>;
}

let running: JobsRuntime | null = null;

export function jobsRuntime(): JobsRuntime | null {
  return running;
}

/** Directus's knex connection settings as pg-boss options (a connection string, or the same fields). */
export function bossConnection(
  database: Knex,
): Pick<ConstructorOptions, 'connectionString' | 'host' | 'port' | 'user' | 'password' | 'database' | 'ssl'> {
  const connection = (database.client as { config: { connection?: unknown } }).config.connection;
  if (typeof connection === 'string') return { connectionString: connection };
  const c = (connection ?? {}) as Record<string, unknown>;
  if (typeof c.connectionString === 'string') return { connectionString: c.connectionString, ssl: c.ssl };
  return {
    host: c.host as string | undefined,
    port: c.port === undefined ? undefined : Number(c.port),
    user: c.user as string | undefined,
    password: c.password as string | undefined,
    database: c.database as string | undefined,
    ssl: c.ssl,
  };
}

async function ensureQueue(boss: PgBoss, definition: QueueDefinition): Promise<void> {
  const settings = bossQueueSettings(definition.name, definition.options);
  const dead = deadLetterQueue(definition.name);
  // Nobody works a dead-letter queue: its jobs wait for an admin to retry or discard them.
  await boss.createQueue(dead, { retentionSeconds: DEAD_LETTER_RETENTION_SECONDS, retryLimit: 0 });
  const { name, ...options } = settings;
  await boss.createQueue(name, options);
  // createQueue leaves an existing queue alone; bring its settings up to the code's.
  await boss.updateQueue(name, options);
}

/**
 * One pg-boss worker per queue fetches up to `concurrency` jobs, runs them at once and settles each on its own (a
 * failing job does not fail its batch-mates). A full batch means more is waiting, so it fetches again at once
 * (burst); otherwise it waits for NOTIFY or the next poll. With one job per fetch pg-boss would wait a polling
 * interval between jobs, whatever the backlog (docs/benchmarks.md).
 */
async function work(boss: PgBoss, definition: QueueDefinition, config: PlatformEnv, logger: JobsLogger) {
  const concurrency = definition.options.concurrency ?? config.JOBS_CONCURRENCY;
  await boss.work<unknown>(
    definition.name,
    {
      batchSize: concurrency,
      burstWhenBatchFull: concurrency > 1,
      perJobResults: true,
      pollingIntervalSeconds: config.JOBS_POLLING_INTERVAL_SECONDS,
      // NOTIFY wakes workers only for jobs runnable now; retries and delayed jobs come due later and are found by
      // polling, so polling keeps its pace while NOTIFY is up (pg-boss would otherwise slow it to 30 s).
      notifyPollingIntervalSeconds: config.JOBS_POLLING_INTERVAL_SECONDS,
    },
    async (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          const attempt = job.retryCount + 1;
          try {
            await definition.handler({ id: job.id, queue: definition.name, data: job.data as never, attempt });
            return { id: job.id, status: 'completed' };
          } catch (error) {
            // Handlers' errors quote what they handled (an SMTP refusal quotes the recipient): no addresses in the log.
            logger.warn({ queue: definition.name, jobId: job.id, attempt, err: loggableError(error) }, 'job failed');
            jobFailed(definition.name);
            // The message is what staff see; the stack stays in the log.
            const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
            return { id: job.id, status: 'failed', output: { name, message } };
          }
        }),
      ),
  );
}

async function schedule(boss: PgBoss, definition: ScheduleDefinition) {
  await boss.schedule(definition.queue, definition.cron, definition.data, { tz: 'UTC' });
}

export async function startJobs(deps: {
  database: Knex;
  config: PlatformEnv;
  logger: JobsLogger;
}): Promise<JobsRuntime> {
  const { database, config, logger } = deps;
  if (running) return running;
  const worker = config.JOBS_WORKER;
  const boss = new PgBoss({
    ...bossConnection(database),
    schema: BOSS_SCHEMA,
    application_name: 'groundwork-jobs',
    max: (worker ? config.JOBS_CONCURRENCY : 0) + 4,
    // Only instances that work jobs run pg-boss's maintenance, cron passes and NOTIFY listener.
    supervise: worker,
    schedule: worker,
    useListenNotify: worker && config.JOBS_LISTEN_NOTIFY,
    superviseIntervalSeconds: config.JOBS_SUPERVISE_INTERVAL_SECONDS,
    monitorIntervalSeconds: config.JOBS_SUPERVISE_INTERVAL_SECONDS,
    cronMonitorIntervalSeconds: config.JOBS_CRON_INTERVAL_SECONDS,
    cronWorkerIntervalSeconds: config.JOBS_CRON_INTERVAL_SECONDS,
    instanceName: worker ? 'directus-worker' : 'directus',
  });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));
  boss.on('warning', (warning) => logger.warn({ warning: warning.message }, 'pg-boss warning'));
  await boss.start({ attempts: 5 });
  await installDatabaseObjects(database);

  for (const definition of jobsRegistry.queues.values()) await ensureQueue(boss, definition);
  // Schedules of queues this code no longer defines would keep firing: remove them.
  for (const existing of await boss.getSchedules()) {
    if (!jobsRegistry.schedules.has(existing.name)) await boss.unschedule(existing.name, existing.key);
  }
  for (const definition of jobsRegistry.schedules.values()) await schedule(boss, definition);
  if (worker) for (const definition of jobsRegistry.queues.values()) await work(boss, definition, config, logger);
  // Domain events: one dispatcher per working instance, straight from the outbox (0025), with the jobs' batch size,
  // polling interval and NOTIFY setting.
  const dispatcher: EventDispatcher | null = worker
    ? startEventDispatcher({
        database,
        deliver: (event) => deliverEvent(event, database),
        settings: EVENT_DISPATCH_SETTINGS,
        batchSize: config.JOBS_CONCURRENCY,
        pollIntervalMs: config.JOBS_POLLING_INTERVAL_SECONDS * 1000,
        listen: config.JOBS_LISTEN_NOTIFY,
        logger,
      })
    : null;

  jobsRegistry.onDefine = async (definition) => {
    try {
      await ensureQueue(boss, definition);
      if (worker) await work(boss, definition, config, logger);
    } catch (error) {
      logger.error({ queue: definition.name, err: error }, 'could not start a queue defined after boot');
    }
  };
  jobsRegistry.onSchedule = async (definition) => {
    try {
      await schedule(boss, definition);
    } catch (error) {
      logger.error({ queue: definition.queue, err: error }, 'could not register a schedule defined after boot');
    }
  };

  let stopping: Promise<void> | null = null;
  const runtime: JobsRuntime = {
    boss,
    worker,
    stop() {
      stopping ??= Promise.all([
        dispatcher?.stop(config.JOBS_SHUTDOWN_TIMEOUT_MS),
        boss.stop({ graceful: true, timeout: config.JOBS_SHUTDOWN_TIMEOUT_MS }),
      ])
        .then(() => logger.info('jobs: stopped'))
        .catch((error: unknown) => logger.error({ err: error }, 'jobs: stop failed'));
      return stopping;
    },
  };
  running = runtime;
  drainOnShutdown(runtime, database, logger);
  logger.info(
    { worker, concurrency: config.JOBS_CONCURRENCY, queues: [...jobsRegistry.queues.keys()] },
    worker ? 'jobs: worker started' : 'jobs: started without a worker (JOBS_WORKER=false)',
  );
  return runtime;
}

/**
 * Directus stops on SIGINT/SIGTERM/SIGHUP (terminus): it closes the HTTP server, destroys its knex pool, then sends
 * itself the signal again once its own listeners are gone. Running jobs use that pool, so we start draining on the
 * signal and hold the pool's destroy until the drain is over; our listener goes once the drain ends, so the
 * re-sent signal (terminus's, or ours if it came first) ends the process.
 */
function drainOnShutdown(runtime: JobsRuntime, database: Knex, logger: JobsLogger) {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'jobs: draining');
    void runtime.stop().then(() => {
      for (const s of signals) process.removeListener(s, onSignal);
      // If terminus already re-sent its signal while we were listening, nothing else will end the process.
      setTimeout(() => process.kill(process.pid, signal), 2000).unref();
    });
  };
  for (const s of signals) process.on(s, onSignal);

  // knex.destroy() is read-only and calls client.destroy(), which we can wrap.
  const client = database.client as { destroy: (callback?: unknown) => Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (callback?: unknown) => {
    await runtime.stop();
    return destroy(callback);
  };
}

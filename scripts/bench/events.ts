// `npm run bench:events`: domain-event dispatch throughput and publish-to-handler latency of the outbox dispatcher
// (0025) against the path it replaced, in the same run: one pg-boss job per event (groundwork_publish_event
// inserting the row and enqueueing a job through groundwork_enqueue, a pg-boss worker reading the row and stamping
// it, with the jobs runtime's batch settings). The old path is rebuilt here, under a bench queue name, so nothing
// of it stays in production code. No Directus: the platform's SQL is installed as at boot (pg-boss's schema, then
// installDatabaseObjects) on a throwaway database per setup, and handlers do nothing, so the figures are the
// dispatch's own cost. Events go to 100 items round-robin (the dispatcher keeps each item's order).
// Options: --events N (default 2000), --samples N (latency samples, default 100), --setups N (default 4: old and new
// at batch 4, as shipped, then at batch 16), --smoke (50 events, 5 samples, batch 4 only, for CI).
// Database: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import knexFactory, { type Knex } from 'knex';
import { PgBoss, type JobResult } from 'pg-boss';
import { EVENT_DISPATCH_SETTINGS } from '../../extensions/platform/src/events/core/outbox.js';
import { startEventDispatcher } from '../../extensions/platform/src/events/dispatcher.js';
import { installDatabaseObjects } from '../../extensions/platform/src/jobs/install.js';
import { BOSS_SCHEMA } from '../../extensions/platform/src/jobs/core/names.js';
import { step } from '../lib/log.js';
import { type PgConnection } from '../lib/postgres.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { benchServer, type BenchServer } from './lib/server.js';
import { formatTable, percentile } from './lib/stats.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  events: { full: '2000', smoke: '50' },
  samples: { full: '100', smoke: '5' },
  setups: { full: '4', smoke: '2' },
});
const EVENTS = wholeNumber('events', values.events);
const SAMPLES = wholeNumber('samples', values.samples);
type Path = 'job per event' | 'outbox dispatcher';
const ALL_SETUPS: Array<{ path: Path; batch: number }> = [
  { path: 'job per event', batch: 4 },
  { path: 'outbox dispatcher', batch: 4 },
  { path: 'job per event', batch: 16 },
  { path: 'outbox dispatcher', batch: 16 },
];
const SETUPS = ALL_SETUPS.slice(0, wholeNumber('setups', values.setups));
const GAP_MS = 25;
const POLL_SECONDS = 2;
const OLD_QUEUE = 'bench.events-per-job';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function bossFor(db: PgConnection, max: number) {
  const { host, port, user, password, database } = db;
  const boss = new PgBoss({
    host,
    port,
    user,
    password,
    database,
    schema: BOSS_SCHEMA,
    max,
    supervise: false,
    schedule: false,
    // As the runtime's worker: NOTIFY wakes it for a new job.
    useListenNotify: true,
  });
  boss.on('error', (error) => console.error(error));
  return boss;
}

/** The path before 0025: the event row plus a pg-boss job in one function, as groundwork_publish_event was. */
async function installJobPerEvent(knex: Knex, boss: PgBoss) {
  await boss.createQueue(`${OLD_QUEUE}.dead`, { retryLimit: 0 });
  // As bossQueueSettings makes every queue: groundwork_enqueue NOTIFYs the workers for it.
  await boss.createQueue(OLD_QUEUE, { retryLimit: 8, retryDelay: 5, deadLetter: `${OLD_QUEUE}.dead`, notify: true });
  await knex.raw(`CREATE OR REPLACE FUNCTION public.bench_publish_event_as_job(
      type text, collection text, item text, actor uuid, data jsonb
    ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE v_id uuid;
    BEGIN
      INSERT INTO groundwork.domain_event (type, collection, item, actor, data)
      VALUES ($1, $2, $3, $4, coalesce($5, '{}'::jsonb)) RETURNING id INTO v_id;
      PERFORM public.groundwork_enqueue('${OLD_QUEUE}', jsonb_build_object('eventId', v_id), v_id::text);
      RETURN v_id::text;
    END $fn$`);
}

/** The old dispatch job, with the jobs runtime's worker settings (runtime.ts work()). */
async function workJobPerEvent(boss: PgBoss, knex: Knex, batch: number, onEvent: (id: string) => void) {
  await boss.work<{ eventId: string }>(
    OLD_QUEUE,
    {
      batchSize: batch,
      burstWhenBatchFull: batch > 1,
      perJobResults: true,
      pollingIntervalSeconds: POLL_SECONDS,
      notifyPollingIntervalSeconds: POLL_SECONDS,
    },
    async (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          const row = await knex('groundwork.domain_event').where({ id: job.data.eventId }).first();
          if (row) {
            onEvent(row.id as string);
            await knex('groundwork.domain_event').where({ id: row.id }).update({ dispatched_at: knex.fn.now() });
          }
          return { id: job.id, status: 'completed' };
        }),
      ),
  );
}

interface Result {
  setup: string;
  publishPerSecond: number;
  dispatchPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

async function benchSetup(bench: BenchServer, path: Path, batch: number): Promise<Result> {
  const db = await bench.database('bench_events');
  const knex = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: batch + 4 } });
  const boss = bossFor(db, batch + 4);
  await boss.start();
  await installDatabaseObjects(knex);
  const publishFunction = path === 'job per event' ? 'bench_publish_event_as_job' : 'groundwork_publish_event';
  if (path === 'job per event') await installJobPerEvent(knex, boss);

  const seenAt = new Map<string, number>();
  const onEvent = (id: string) => {
    if (!seenAt.has(id)) seenAt.set(id, Date.now());
  };
  let stopDispatcher: (() => Promise<void>) | null = null;
  if (path === 'job per event') {
    await workJobPerEvent(boss, knex, batch, onEvent);
  } else {
    const dispatcher = startEventDispatcher({
      database: knex,
      deliver: async (event) => onEvent(event.id),
      settings: EVENT_DISPATCH_SETTINGS,
      batchSize: batch,
      pollIntervalMs: POLL_SECONDS * 1000,
      listen: true,
      logger: { info: () => undefined, warn: console.warn, error: console.error },
    });
    stopDispatcher = () => dispatcher.stop(10_000);
  }
  await sleep(500); // LISTEN connected, first idle poll behind us

  const publish = (db: Knex | Knex.Transaction, i: number) =>
    db.raw(`SELECT public.${publishFunction}('bench.event', 'bench', ?, NULL, '{}'::jsonb) AS id`, [`item-${i % 100}`]);
  const open = async () =>
    Number((await knex('groundwork.domain_event').whereNull('dispatched_at').count({ n: '*' }))[0]!.n);

  // Throughput: a backlog committed in transactions of 500, then drained.
  const t0 = Date.now();
  for (let start = 0; start < EVENTS; start += 500) {
    await knex.transaction(async (trx) => {
      for (let i = start; i < Math.min(EVENTS, start + 500); i++) await publish(trx, i);
    });
  }
  const committed = Date.now();
  await waitUntil(async () => (await open()) === 0, 600_000, `${path}: backlog drained`);
  const drained = Date.now();

  // Latency: single events on an idle dispatcher, one every GAP_MS, publish commit to handler start.
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const sent = Date.now();
    const { rows } = await publish(knex, EVENTS + i);
    const id = rows[0].id as string;
    await waitUntil(async () => seenAt.has(id), 30_000, `${path}: sample ${i}`);
    latencies.push(seenAt.get(id)! - sent);
    await sleep(GAP_MS);
  }

  await stopDispatcher?.();
  await boss.stop({ graceful: false, close: true });
  await knex.destroy();
  await bench.drop(db);
  return {
    setup: `${path}, batch ${batch}`,
    publishPerSecond: Math.round(EVENTS / ((committed - t0) / 1000)),
    dispatchPerSecond: Math.round(EVENTS / ((drained - committed) / 1000)),
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    p99: Math.round(percentile(latencies, 99)),
  };
}

const bench = await benchServer(SCOPE, { extensions: false });
const results: Result[] = [];
try {
  for (const { path, batch } of SETUPS) {
    step(SCOPE, `${path}, batch ${batch}: ${EVENTS} events, ${SAMPLES} latency samples`);
    results.push(await benchSetup(bench, path, batch));
  }
} finally {
  await bench.close();
}
console.log(
  formatTable(
    ['setup', 'publish events/s', 'dispatch events/s', 'publish→handler p50 ms', 'p95 ms', 'p99 ms'],
    results.map((r) => [r.setup, r.publishPerSecond, r.dispatchPerSecond, r.p50, r.p95, r.p99]),
  ),
);
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

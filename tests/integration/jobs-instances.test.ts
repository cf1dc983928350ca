// Jobs across Directus processes on one database: a worker killed with SIGKILL mid-job, a graceful drain on SIGTERM,
// an instance with JOBS_WORKER=false, and a cron schedule on two workers. The platform's jobs need no domain: these
// instances load the platform bundle and the probe only, on a database of the fixture domain, not the service desk's
// (issue 9, item 2).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exitWithin, startInstance, type DirectusInstance } from '../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../scripts/lib/postgres.js';
import { fixtureTestDatabase, harness } from './harness/context.js';
import { adminToken } from './http.js';
import { database, effects, probe, PROBE_ENV, PROBE_EXTENSIONS, waitFor, type TestDatabase } from './jobs-support.js';

let db: PgConnection;
let sql: TestDatabase;
const instances: DirectusInstance[] = [];

async function start(name: string, env: Record<string, string> = {}) {
  const instance = await startInstance({
    db,
    name,
    env: { ...PROBE_ENV, ...env },
    shipped: ['platform'],
    testExtensions: PROBE_EXTENSIONS,
  });
  instances.push(instance);
  return instance;
}

const keys = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${label}-${Date.now().toString(36)}-${i}`);
const runsOf = (list: string[]) =>
  sql.query<{ key: string; runs: number; pids: number[] }>(
    'SELECT key, count(*)::int AS runs, array_agg(DISTINCT pid) AS pids FROM groundwork.probe_run WHERE key = ANY($1) GROUP BY key',
    [list],
  );

beforeAll(async () => {
  // A copy of the stack's fixture template: every instance below starts on it without a bootstrap of its own.
  db = await fixtureTestDatabase('jobs_instances');
  sql = database(db);
});

afterAll(async () => {
  for (const instance of instances) await instance.stop().catch(() => undefined);
  await sql?.end();
  if (db) await dropDatabase(harness().server, db.database);
});

describe('jobs across processes', () => {
  let worker: DirectusInstance;

  it('completes every job after a kill -9 mid-run, without repeating a side effect', async () => {
    const first = await start('jobs-kill');
    const list = keys('crash', 12);
    await probe(first.baseUrl, await adminToken(first.baseUrl), { jobs: list.map((key) => ({ key, sleepMs: 2000 })) });
    // Wait until jobs are running (JOBS_CONCURRENCY 4), then kill the process without any chance to clean up.
    await waitFor(
      () => runsOf(list),
      (rows) => rows.length >= 4,
      20_000,
      'jobs started',
    );
    first.process.kill('SIGKILL');
    await exitWithin(first, 10_000);
    const interrupted = await sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'groundwork.probe' AND data->>'key' = ANY($1) AND state = 'active'",
      [list],
    );
    expect(interrupted[0]!.n).toBeGreaterThan(0);

    // A new process on the same database: pg-boss takes back the expired jobs (expireInSeconds 4) and retries them.
    worker = await start('jobs-restarted');
    await waitFor(
      () => effects(sql, list),
      (rows) => rows.length === list.length,
      60_000,
      'every job completed',
    );
    // pg-boss completes a batch's jobs only after the whole batch's handlers return, so the last effects can show
    // while their jobs still read "active": wait for the states to settle.
    const states = await waitFor(
      () =>
        sql.query<{ state: string; n: number }>(
          "SELECT state, count(*)::int AS n FROM pgboss.job WHERE name = 'groundwork.probe' AND data->>'key' = ANY($1) GROUP BY state",
          [list],
        ),
      (rows) => !rows.some((row) => row.state === 'active'),
      30_000,
      'jobs settled',
    );
    expect(states).toEqual([{ state: 'completed', n: list.length }]);
    // Some jobs ran twice (the ones killed mid-run), yet each side effect exists exactly once.
    const runs = await runsOf(list);
    expect(runs.some((row) => row.runs > 1)).toBe(true);
    const effectRows = await sql.query<{ key: string; n: number }>(
      'SELECT key, count(*)::int AS n FROM groundwork.probe_effect WHERE key = ANY($1) GROUP BY key',
      [list],
    );
    expect(effectRows).toHaveLength(list.length);
    expect(effectRows.every((row) => row.n === 1)).toBe(true);
  });

  it('leaves jobs to other instances when JOBS_WORKER=false', async () => {
    const enqueuer = await start('jobs-no-worker', { JOBS_WORKER: 'false' });
    const list = keys('elsewhere', 20);
    await probe(enqueuer.baseUrl, await adminToken(enqueuer.baseUrl), { jobs: list.map((key) => ({ key })) });
    await waitFor(
      () => effects(sql, list),
      (rows) => rows.length === list.length,
      30_000,
      'jobs done by the worker',
    );
    const pids = new Set((await runsOf(list)).flatMap((row) => row.pids));
    expect([...pids]).toEqual([worker.process.pid]);
    expect(enqueuer.output().some((line) => line.includes('started without a worker (JOBS_WORKER=false)'))).toBe(true);
    await enqueuer.stop();
  });

  it('drains on SIGTERM: running jobs finish before the process exits', async () => {
    const list = keys('drain', 4);
    await probe(worker.baseUrl, await adminToken(worker.baseUrl), {
      jobs: list.map((key) => ({ key, sleepMs: 1500 })),
    });
    await waitFor(
      () => runsOf(list),
      (rows) => rows.length === list.length,
      20_000,
      'jobs started',
    );
    worker.process.kill('SIGTERM');
    await exitWithin(worker, 20_000);
    // No other worker runs: whatever completed, completed in the draining process.
    expect(await effects(sql, list)).toHaveLength(list.length);
    const states = await sql.query<{ state: string }>(
      "SELECT DISTINCT state FROM pgboss.job WHERE name = 'groundwork.probe' AND data->>'key' = ANY($1)",
      [list],
    );
    expect(states).toEqual([{ state: 'completed' }]);
    expect(worker.output().some((line) => line.includes('jobs: draining'))).toBe(true);
  });

  it('runs a cron schedule once per tick across two workers', async () => {
    // pg-boss cron has minute resolution: run every minute across two minute boundaries.
    // PROBE_CRON is read by the probe extension only (tests/extensions/groundwork-probe/src/hook.ts).
    const cron = { PROBE_CRON: '* * * * *' };
    const a = await start('jobs-cron-a', cron);
    const b = await start('jobs-cron-b', cron);
    const secondBoundary = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    await new Promise((resolve) => setTimeout(resolve, secondBoundary + 8_000 - Date.now()));
    // The last slot's chain (cron pass, send-it job, our job, its run) waits for a poll at each link and can take
    // longer than 8 s on a loaded machine: stop the workers once every slot sent has its job and every job its run.
    await waitFor(
      () =>
        sql.query<{ sent: number; jobs: number; ran: number }>(
          `SELECT
             (SELECT count(*)::int FROM pgboss.job
              WHERE name = '__pgboss__send-it' AND data->>'name' = 'groundwork.probe') AS sent,
             (SELECT count(*)::int FROM pgboss.job WHERE name = 'groundwork.probe' AND data->>'key' = 'cron') AS jobs,
             (SELECT count(DISTINCT run.job_id)::int FROM groundwork.probe_run run
              JOIN pgboss.job job ON job.id = run.job_id
              WHERE job.name = 'groundwork.probe' AND job.data->>'key' = 'cron') AS ran`,
        ),
      ([row]) => row!.sent >= 2 && row!.jobs === row!.sent && row!.ran === row!.jobs,
      30_000,
      'every slot sent has run',
    );
    await Promise.all([a.stop(), b.stop()]);
    const jobs = await sql.query<{ id: string; created_on: Date }>(
      `SELECT id, created_on FROM pgboss.job
       WHERE name = 'groundwork.probe' AND data->>'key' = 'cron' ORDER BY created_on`,
    );
    // pg-boss files each occurrence under its minute (a slot) on its internal send-it queue, where a second send
    // for the same slot is dropped; each send-it job then enqueues one job on our queue. Both workers run cron
    // passes every second, yet: one job per slot, consecutive minutes (none skipped), as many jobs on our queue.
    const sent = await sql.query<{ slot: string }>(
      `SELECT data->>'slot' AS slot FROM pgboss.job
       WHERE name = '__pgboss__send-it' AND data->>'name' = 'groundwork.probe' ORDER BY data->>'slot'`,
    );
    const slots = sent.map((row) => Date.parse(`${row.slot.replace(' ', 'T')}Z`));
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual(Array(slots.length - 1).fill(60_000));
    expect(jobs).toHaveLength(slots.length);
    const runs = await sql.query<{ job_id: string; n: number; pid: number }>(
      'SELECT job_id, count(*)::int AS n, min(pid) AS pid FROM groundwork.probe_run WHERE job_id = ANY($1::uuid[]) GROUP BY job_id',
      [jobs.map((job) => job.id)],
    );
    expect(runs).toHaveLength(jobs.length);
    expect(runs.every((row) => row.n === 1)).toBe(true);
    // Two boots (a minute each on a loaded machine) and up to two minutes of waiting for the boundaries.
  }, 360_000);
});

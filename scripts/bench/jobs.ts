// `npm run bench:jobs`: job throughput and enqueue-to-start latency of the jobs runtime inside Directus, against a
// naive baseline in the same run: a plain `SELECT ... FOR UPDATE SKIP LOCKED` loop, one job per claim, polling every
// 100 ms when idle (what a hand-written queue table usually is). Directus loads the test-only probe extension
// (tests/extensions/groundwork-probe) besides the shipped ones; its bench jobs do nothing, so the figures are the
// queue's own cost.
// Setups: ours as shipped (LISTEN/NOTIFY, batches of JOBS_CONCURRENCY); ours with NOTIFY off (polling only); and
// ours with JOBS_CONCURRENCY=16. Options: --jobs N (default 5000), --samples N (latency samples, default 200),
// --setups N (how many of our setups, in that order; default 3), --smoke (50 jobs and 5 samples, the baseline and
// ours as shipped: one Directus boot, for CI).
// Database: BENCH_DATABASE_URL, else the embedded PostgreSQL (a throwaway database per setup).
import pg from 'pg';
import { listExtensions } from '../lib/extensions.js';
import { step } from '../lib/log.js';
import { startInstance, TEST_ADMIN, type DirectusInstance } from '../lib/instance.js';
import { testExtensionsDir } from '../lib/paths.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { benchServer, type BenchServer } from './lib/server.js';
import { formatTable, percentile } from './lib/stats.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  jobs: { full: '5000', smoke: '50' },
  samples: { full: '200', smoke: '5' },
  setups: { full: '3', smoke: '1' },
});
const JOBS = wholeNumber('jobs', values.jobs);
const SAMPLES = wholeNumber('samples', values.samples);
const OUR_SETUPS: Array<{ setup: string; env: Record<string, string> }> = [
  { setup: 'ours: LISTEN/NOTIFY, batches of 4 (JOBS_CONCURRENCY=4, as shipped)', env: {} },
  { setup: 'ours: NOTIFY off, 2 s polling (JOBS_LISTEN_NOTIFY=false)', env: { JOBS_LISTEN_NOTIFY: 'false' } },
  { setup: 'ours: JOBS_CONCURRENCY=16', env: { JOBS_CONCURRENCY: '16' } },
];
const SETUPS = OUR_SETUPS.slice(0, wholeNumber('setups', values.setups));
const GAP_MS = 25;

interface Result {
  setup: string;
  enqueuePerSecond: number;
  jobsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

/** One setup's figures from its three clock readings (ms) and its enqueue-to-start latencies. */
function resultOf(
  setup: string,
  at: { enqueueStart: number; committed: number; drained: number },
  latencies: number[],
): Result {
  return {
    setup,
    enqueuePerSecond: Math.round(JOBS / ((at.committed - at.enqueueStart) / 1000)),
    jobsPerSecond: Math.round(JOBS / ((at.drained - at.committed) / 1000)),
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    p99: Math.round(percentile(latencies, 99)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function post(instance: DirectusInstance, token: string | null, path: string, body: unknown) {
  const response = await fetch(`${instance.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { data: Record<string, unknown> };
}

async function benchDirectus(bench: BenchServer, setup: string, env: Record<string, string>): Promise<Result> {
  const db = await bench.database('bench_jobs');
  step(SCOPE, `${setup}: booting Directus on ${db.database}`);
  const instance = await startInstance({
    db,
    name: 'bench-jobs',
    bootstrap: true,
    testExtensions: ['groundwork-probe'],
    env: { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false', ...env },
  });
  const pool = new pg.Pool({ ...db, max: 2 });
  // An idle connection the server ends would otherwise be an unhandled 'error' that stops the bench; the pool
  // replaces it.
  pool.on('error', (error) => step(SCOPE, `pool: an idle connection ended (${error.message})`));
  try {
    const token = ((await post(instance, null, '/auth/login', TEST_ADMIN)).data as { access_token: string })
      .access_token;
    const count = async (state: string) =>
      Number(
        (
          await pool.query(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'groundwork.probe' AND state = $1`, [
            state,
          ])
        ).rows[0].n,
      );

    // Throughput: N jobs committed in one transaction, then the time until the last one completed.
    step(SCOPE, `${setup}: enqueueing ${JOBS} jobs in one transaction`);
    const enqueueStart = performance.now();
    await post(instance, token, '/groundwork-probe/jobs', {
      jobs: Array.from({ length: JOBS }, (_, i) => ({ key: `t${i}`, bench: true })),
    });
    const committed = performance.now();
    await waitUntil(async () => (await count('completed')) >= JOBS, 600_000, 'throughput jobs');
    const drained = performance.now();

    // Latency: single jobs, one every 25 ms, on an idle queue; started_on - created_on, both from the database clock.
    step(SCOPE, `${setup}: ${SAMPLES} single jobs, one every ${GAP_MS} ms`);
    const ids: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { data } = await post(instance, token, '/groundwork-probe/jobs', {
        jobs: [{ key: `l${i}`, bench: true }],
      });
      ids.push((data.ids as string[])[0]!);
      await sleep(GAP_MS);
    }
    await waitUntil(async () => (await count('completed')) >= JOBS + SAMPLES, 120_000, 'latency jobs');
    const { rows } = await pool.query<{ ms: number }>(
      'SELECT extract(epoch FROM started_on - created_on) * 1000 AS ms FROM pgboss.job WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return resultOf(
      setup,
      { enqueueStart, committed, drained },
      rows.map((row) => Number(row.ms)),
    );
  } finally {
    await pool.end();
    await instance.stop();
    await bench.drop(db);
  }
}

/** The naive queue: one row per job, workers claim one at a time with SKIP LOCKED and poll every 100 ms when idle. */
async function benchSkipLocked(bench: BenchServer, workers: number): Promise<Result> {
  const setup = `baseline: SELECT ... FOR UPDATE SKIP LOCKED loop (${workers} workers, 1 job per claim, 100 ms idle poll)`;
  const db = await bench.database('bench_naive');
  const pool = new pg.Pool({ ...db, max: workers + 2 });
  // An idle connection the server ends would otherwise be an unhandled 'error' that stops the bench; the pool
  // replaces it.
  pool.on('error', (error) => step(SCOPE, `pool: an idle connection ended (${error.message})`));
  let running = true;
  let loops: Array<Promise<void>> = [];
  try {
    await pool.query(`CREATE TABLE job (
      id bigserial PRIMARY KEY, data jsonb, state text NOT NULL DEFAULT 'created',
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(), started_on timestamptz, completed_on timestamptz)`);
    await pool.query("CREATE INDEX job_fetch ON job (id) WHERE state = 'created'");
    loops = Array.from({ length: workers }, async () => {
      while (running) {
        const client = await pool.connect();
        let claimed = false;
        try {
          await client.query('BEGIN');
          const { rows } = await client.query(
            "SELECT id FROM job WHERE state = 'created' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
          );
          if (rows[0]) {
            claimed = true;
            await client.query("UPDATE job SET state = 'active', started_on = clock_timestamp() WHERE id = $1", [
              rows[0].id,
            ]);
            // The job itself does nothing, as in the Directus setups.
            await client.query("UPDATE job SET state = 'completed', completed_on = clock_timestamp() WHERE id = $1", [
              rows[0].id,
            ]);
          }
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        if (!claimed) await sleep(100);
      }
    });
    const count = async () =>
      Number((await pool.query("SELECT count(*) AS n FROM job WHERE state = 'completed'")).rows[0].n);
    step(SCOPE, 'baseline: enqueueing');
    const enqueueStart = performance.now();
    const client = await pool.connect();
    await client.query('BEGIN');
    for (let i = 0; i < JOBS; i++) await client.query('INSERT INTO job (data) VALUES ($1)', [{ key: `t${i}` }]);
    await client.query('COMMIT');
    client.release();
    const committed = performance.now();
    await waitUntil(async () => (await count()) >= JOBS, 600_000, 'baseline throughput');
    const drained = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      ids.push((await pool.query('INSERT INTO job (data) VALUES ($1) RETURNING id', [{ key: `l${i}` }])).rows[0].id);
      await sleep(GAP_MS);
    }
    await waitUntil(async () => (await count()) >= JOBS + SAMPLES, 120_000, 'baseline latency');
    const { rows } = await pool.query<{ ms: number }>(
      'SELECT extract(epoch FROM started_on - created_on) * 1000 AS ms FROM job WHERE id = ANY($1::bigint[])',
      [ids],
    );
    return resultOf(
      setup,
      { enqueueStart, committed, drained },
      rows.map((row) => Number(row.ms)),
    );
  } finally {
    running = false;
    await Promise.all(loops);
    await pool.end();
    await bench.drop(db);
  }
}

const bench = await benchServer(SCOPE, { extensions: [...listExtensions(), ...listExtensions(testExtensionsDir)] });
const results: Result[] = [];
try {
  results.push(await benchSkipLocked(bench, 4));
  for (const { setup, env } of SETUPS) results.push(await benchDirectus(bench, setup, env));
} finally {
  await bench.close();
}

console.log('');
console.log(
  `${JOBS} jobs for throughput (committed in one transaction), ${SAMPLES} single jobs ${GAP_MS} ms apart for latency`,
);
console.log(
  formatTable(
    ['setup', 'enqueue jobs/s', 'run jobs/s', 'start p50 ms', 'p95 ms', 'p99 ms'],
    results.map((r) => [r.setup, r.enqueuePerSecond, r.jobsPerSecond, r.p50, r.p95, r.p99]),
  ),
);
if (smoke) console.log(SMOKE_NOTE);

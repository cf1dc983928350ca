// `npm run bench:load` (issue 14 item 5, decision 0055): the service desk under a realistic mix at rising concurrency,
// on 1 and on 2 instances behind the round-robin proxy (scripts/lib/proxy.ts; one PostgreSQL database and one Redis
// shared), with budgets per route, the knee per instance count, and a regression check of each route's speed against
// the baseline's, compared with scripts/bench/load-baseline.json.
// A throwaway database is migrated to the latest version and seeded with the demo set plus N tickets (one message
// each: `npm run seed -- --tickets N`'s code). The mix (weights below): customers list their organization's tickets,
// open one and read its messages; agents list "my open tickets", open a ticket with its messages, reply publicly
// and move tickets open ⇄ pending; search as customer and agent; a small CSV export (100 rows); and the baseline,
// Directus's own GET /server/health, in the same mix so it meets the same load. Each step runs `--duration` seconds
// at `connections` closed-loop clients; the climb of an instance count stops at the first step that misses a budget.
// Regression check: a reference phase on 1 instance at 2 connections (`--reference` seconds, before the climb) gives
// each route's speed = baseline p50 / route p50; a drop of more than 30 % against the recorded ratio exits 1, and so
// does a failed request in that phase. `--record` writes this run's ratios as the new record instead.
// At --smoke the check runs against the record (its figures are not comparable at that size) and is printed, but
// only a failed request fails the run: tiny timings are noise, a 4xx means the mix itself is broken.
// Options: --tickets N (default 100000), --steps 1,2,4,... (default 1,2,4,8,16,32), --duration S (default 8),
// --reference S (default 20), --record, --smoke (1,000 tickets, steps 1,2 of 1 s, every step run). Database server: BENCH_DATABASE_URL, else the embedded
// PostgreSQL; Redis: BENCH_REDIS_URL, else redis://127.0.0.1:6379.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInstance, type DirectusInstance } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../lib/proxy.js';
import { dropRedisNamespace, redisNamespaceEnv } from '../lib/redis-namespace.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { figuresByRoute, type Sample } from './load/core/mix.js';
import {
  compareRatios,
  findKnee,
  judgeStep,
  speedRatios,
  type Budget,
  type Knee,
  type RecordedRatios,
  type StepFigures,
} from './load/core/verdict.js';
import { checkEachRoute, driveMix } from './load/drive.js';
import { BASELINE, prepareMix } from './load/routes.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const RECORD_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-baseline.json');
const argv = process.argv.slice(2);
const record = argv.includes('--record');
const { smoke, values } = readBenchOptions(
  {
    tickets: { full: '100000', smoke: '1000' },
    steps: { full: '1,2,4,8,16,32', smoke: '1,2' },
    duration: { full: '8', smoke: '1' },
    reference: { full: '20', smoke: '1' },
  },
  argv.filter((arg) => arg !== '--record'),
);
const ticketCount = wholeNumber('tickets', values.tickets);
const durationSeconds = wholeNumber('duration', values.duration);
const referenceSeconds = wholeNumber('reference', values.reference);
/** The regression check's phase: 1 instance, this many clients, `--reference` seconds, before the climb. */
const REFERENCE_CONNECTIONS = 2;
const MIN_REFERENCE_SAMPLES = smoke ? 1 : 10;
const steps = [...new Set(values.steps.split(',').map((value) => wholeNumber('steps', value.trim())))].sort(
  (a, b) => a - b,
);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// This run's Redis keys under a prefix of their own: tests and other benches share the server.
const NS = `gw-bench-load-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const MAX_DROP = 0.3;

// The seed's budget (p95 < 200 ms) for every interactive route; the export is a file download, not a screen, and
// gets 500 ms. 0.1 % errors: at normal load the mix has none, a stray one under overload is tolerated.
const budget = (p95Ms: number): Budget => ({ p95Ms, maxErrorRate: 0.001 });
const BUDGETS: Record<string, Budget> = {
  'customer: list my tickets': budget(200),
  'customer: open a ticket': budget(200),
  "customer: a ticket's messages": budget(200),
  'agent: my open tickets': budget(200),
  'agent: a ticket with its messages': budget(200),
  'agent: reply': budget(200),
  'agent: transition': budget(200),
  'search (customer and agent)': budget(200),
  'export: 100 tickets as CSV': budget(500),
};

const loadAverage = () => Math.round(os.loadavg()[0]! * 10) / 10;
const commit = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_load');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const measured: StepFigures[] = [];
const loads: Array<{ instances: number; connections: number; before: number; after: number }> = [];
const failures: Record<string, number> = {};
const served: number[][] = [];
let instances: DirectusInstance[] = [];
let reference: StepFigures | undefined;
let proxy: RoundRobinProxy | undefined;
try {
  await seedServiceDesk(db, { scope: SCOPE, tickets: ticketCount, storageRoot });

  const mix = await prepareMix(db);

  step(SCOPE, 'booting two Directus instances on the one database and Redis (limiters off, LOG_LEVEL=warn)');
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    PRESSURE_LIMITER_ENABLED: 'false',
    RATE_LIMITER_ENABLED: 'false',
    STORAGE_LOCAL_ROOT: storageRoot,
    // Tokens issued by one instance are checked by the other.
    SECRET: randomBytes(32).toString('hex'),
    REDIS: redisUrl,
    ...redisNamespaceEnv(NS),
    SYNCHRONIZATION_STORE: 'redis',
  };
  instances = await Promise.all([
    startMigratedInstance({ db, name: 'bench-load-a', env }),
    // The database is migrated already: the second only starts.
    startInstance({ db, name: 'bench-load-b', env, bootstrap: false }),
  ]);

  for (const count of [1, 2]) {
    proxy = await startRoundRobinProxy({ upstreams: instances.slice(0, count).map((instance) => instance.baseUrl) });
    const base = proxy.url;
    const routes = await mix.routesAt(base);
    const names = routes.map((route) => route.name);

    step(SCOPE, `${count} instance(s): each route once, then a warm-up of 2 s at 2 connections`);
    await checkEachRoute(base, routes);
    await driveMix({ baseUrl: base, routes, connections: 2, seconds: Math.min(2, durationSeconds) });
    if (count === 1) {
      // Rounds of --reference seconds until every route has MIN_REFERENCE_SAMPLES answers (at most three): on a
      // loaded machine one round may leave the rare routes (the export) with too few for a median.
      const samples: Sample[] = [];
      let seconds = 0;
      for (let round = 1; round <= 3; round++) {
        step(
          SCOPE,
          `reference for the regression check, round ${round}: ${referenceSeconds} s at ${REFERENCE_CONNECTIONS} connections`,
        );
        const run = await driveMix({
          baseUrl: base,
          routes,
          connections: REFERENCE_CONNECTIONS,
          seconds: referenceSeconds,
        });
        for (const [key, n] of Object.entries(run.failures)) failures[`reference, ${key}`] = n;
        samples.push(...run.samples);
        seconds += run.elapsedSeconds;
        if (names.every((name) => samples.filter((sample) => sample.route === name).length >= MIN_REFERENCE_SAMPLES))
          break;
      }
      reference = { instances: 1, connections: REFERENCE_CONNECTIONS, routes: figuresByRoute(samples, names, seconds) };
    }
    for (const connections of steps) {
      const before = loadAverage();
      step(SCOPE, `${count} instance(s), ${connections} connections: ${durationSeconds} s (load average ${before})`);
      const run = await driveMix({ baseUrl: base, routes, connections, seconds: durationSeconds });
      for (const [key, n] of Object.entries(run.failures))
        failures[`${count} instance(s), ${connections} connections, ${key}`] = n;
      const figures: StepFigures = {
        instances: count,
        connections,
        routes: figuresByRoute(run.samples, names, run.elapsedSeconds),
      };
      measured.push(figures);
      loads.push({ instances: count, connections, before, after: loadAverage() });
      const verdict = judgeStep(figures, BUDGETS);
      const total = Math.round(run.samples.length / run.elapsedSeconds);
      const worst = figures.routes.filter((r) => r.route !== BASELINE).sort((a, b) => b.p95Ms - a.p95Ms)[0]!;
      step(
        SCOPE,
        `${total} req/s; worst p95 ${worst.p95Ms} ms (${worst.route}); ${
          verdict.holds
            ? 'budgets held'
            : 'budget missed: ' +
              verdict.routes
                .filter((r) => !r.holds)
                .map((r) => `${r.route}: ${r.misses.join(', ')}`)
                .join('; ')
        }`,
      );
      // At --smoke every step runs: the point is that each works, and tiny steps miss budgets by noise.
      if (!verdict.holds && !smoke) break;
    }
    served.push([...proxy.served]);
    await proxy.close();
    proxy = undefined;
  }
} finally {
  await proxy?.close();
  await Promise.all(instances.map((instance) => instance.stop().catch(() => undefined)));
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
  await removeRedisKeys();
}

/** This run's Redis keys: some (synchronization, locks) have no expiry. */
async function removeRedisKeys() {
  try {
    await dropRedisNamespace(redisUrl, NS);
  } catch (error) {
    console.error(`could not remove this run's Redis keys (${NS}:*): ${(error as Error).message}`);
  }
}

console.log('');
console.log(
  `${ticketCount.toLocaleString('en-US')} tickets, ${durationSeconds} s a step, closed-loop clients = connections; ` +
    `budgets: p95 < ${BUDGETS['customer: list my tickets']!.p95Ms} ms (export < ${BUDGETS['export: 100 tickets as CSV']!.p95Ms} ms), errors ≤ 0.1 %`,
);
console.log(
  formatTable(
    ['instances', 'conn', 'route', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'budget'],
    measured.flatMap((figures) => {
      const verdict = judgeStep(figures, BUDGETS);
      return figures.routes.map((r) => {
        const judged = verdict.routes.find((v) => v.route === r.route);
        return [
          figures.instances,
          figures.connections,
          r.route,
          r.requestsPerSecond,
          r.p50Ms,
          r.p95Ms,
          r.p99Ms,
          `${Math.round(r.errorRate * 1000) / 10} %`,
          judged ? (judged.holds ? 'held' : 'MISSED') : 'baseline',
        ];
      });
    }),
  ),
);
console.log('');
console.log(
  formatTable(
    ['instances', 'conn', 'all routes req/s', 'load average before', 'after'],
    loads.map((load) => {
      const figures = measured.find((m) => m.instances === load.instances && m.connections === load.connections)!;
      const total = figures.routes.reduce((sum, r) => sum + r.requestsPerSecond, 0);
      return [load.instances, load.connections, Math.round(total), load.before, load.after];
    }),
  ),
);
console.log(
  `requests answered per instance through the proxy: ${served.map((counts) => counts.join(' + ')).join('; ')}`,
);
console.log('');
const knees: Knee[] = [1, 2].map((count) => findKnee(measured, BUDGETS, count));
for (const knee of knees) {
  const at = knee.connections === undefined ? 'not even the first step' : `up to ${knee.connections} connections`;
  const miss = knee.firstMiss
    ? `; missed at ${knee.firstMiss.connections}: ${knee.firstMiss.misses.join('; ')}`
    : `; held at every step measured (${steps.join(', ')})`;
  console.log(`knee, ${knee.instances} instance(s): holds the budgets ${at}${miss}`);
}
for (const [key, n] of Object.entries(failures)) console.log(`failed requests: ${key} × ${n}`);

// The regression check, on the reference phase.
console.log('');
if (reference) {
  console.log(`reference phase (1 instance, ${REFERENCE_CONNECTIONS} connections):`);
  console.log(
    formatTable(
      ['route', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
      reference.routes.map((r) => [r.route, r.requests, r.requestsPerSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.errors]),
    ),
  );
}
// The ratios cancel much of the neighbours' load, not all of it (decision 0055): say when the machine was busy.
const cores = os.cpus().length;
if (loadAverage() > cores)
  console.log(
    `note: load average ${loadAverage()} on ${cores} cores: other work shared the machine; ratios are noisier`,
  );
const shape = { tickets: ticketCount, instances: 1, connections: REFERENCE_CONNECTIONS, baseline: BASELINE };
const ratios = reference ? speedRatios(reference, BASELINE) : {};
let regression = false;
const valid = reference !== undefined && reference.routes.every((r) => r.requests > 0 && r.errors === 0);
if (record && !valid) console.log('not recorded: the reference phase is not valid (below)');
else if (record) {
  const entry: RecordedRatios = {
    recorded: new Date().toISOString(),
    commit: commit(),
    loadAverage: loadAverage(),
    ...shape,
    ratios,
  };
  writeFileSync(RECORD_FILE, `${JSON.stringify(entry, null, 2)}\n`);
  console.log(`recorded this run's ratios in ${path.relative(process.cwd(), RECORD_FILE)}`);
} else {
  if (!existsSync(RECORD_FILE)) {
    console.error(`no record to compare with: run once with --record (${RECORD_FILE})`);
    process.exit(1);
  }
  const recorded = JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as RecordedRatios;
  // At --smoke the sizes differ from the record's by design: compare on the record's shape to run the mechanism.
  const check = compareRatios(recorded, { ...(smoke ? recorded : shape), ratios }, MAX_DROP);
  console.log(
    `regression check: speed = baseline p50 / route p50 (rounds of ${referenceSeconds} s at ${shape.connections} connections on 1 instance), against ` +
      `${path.relative(process.cwd(), RECORD_FILE)} (${recorded.recorded}, ${recorded.commit}); fails on a drop > ${MAX_DROP * 100} %`,
  );
  if (!check.comparable) console.log(`not compared: ${check.why} (run with the recorded sizes, or --record)`);
  else
    console.log(
      formatTable(
        ['route', 'recorded', 'now', 'change', 'verdict'],
        check.changes.map((c) => [
          c.route,
          c.recorded ?? '',
          c.current ?? '',
          c.change === undefined ? '' : `${Math.round(c.change * 1000) / 10} %`,
          c.failed ? 'DROPPED' : c.recorded === undefined ? 'not recorded' : 'ok',
        ]),
      ),
    );
  regression = check.failed;
  if (smoke && check.failed) console.log('(not enforced at --smoke: tiny runs are noise)');
}

if (smoke) {
  if (Object.keys(failures).length > 0 || measured.length === 0) {
    console.error('the smoke run failed requests: the mix itself is broken');
    process.exit(1);
  }
  console.log(SMOKE_NOTE);
  process.exit(0);
}
if (!valid) {
  console.error('the run is not valid: the reference phase did not answer every route, or failed requests');
  process.exit(1);
}
if (regression) {
  console.error(
    `performance regression: a route's speed against the baseline dropped by more than ${MAX_DROP * 100} %`,
  );
  process.exit(1);
}
process.exit(0);

// `npm run bench:migrate`: how long a fresh database takes to reach the latest snapshot version, against what plain
// Directus needs for an empty database (`directus bootstrap`) in the same run. Per run: a throwaway database,
// bootstrap (timed), migrate through every version in snapshots/ (timed), migrate again (timed; must do nothing),
// drop. Acceptance: migrating a fresh database takes under 15 s (median). Options: --runs N (default 5), --smoke
// (one run, bound not checked: CI's check that the bench works).
// Database: BENCH_DATABASE_URL, else the embedded PostgreSQL in .data/bench-postgres.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildStaleExtensions } from '../lib/extensions.js';
import { bootstrapDirectus } from '../lib/directus.js';
import { createTestDatabase, instanceEnv, testRunsDir } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, toolServer } from '../lib/postgres.js';
import { migrate } from '../snapshots/migrator.js';
import { labelOf, listVersions, snapshotsDir } from '../snapshots/store.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable, percentile } from './lib/stats.js';

const SCOPE = 'bench';
const LIMIT_MS = 15_000;
const { smoke, values } = readBenchOptions({ runs: { full: '5', smoke: '1' } });
const runs = wholeNumber('runs', values.runs);

const dir = snapshotsDir();
const versions = listVersions(dir);
if (versions.length === 0) throw new Error(`no versions in ${labelOf(dir)}: nothing to measure`);

// Plain Directus: the bootstrap sees no extensions (an empty folder), as the baseline for an empty database.
const runDir = path.join(testRunsDir, 'bench-migrate');
const noExtensions = path.join(runDir, 'no-extensions');
mkdirSync(noExtensions, { recursive: true });

const samples = { bootstrap: [] as number[], fresh: [] as number[], again: [] as number[], total: [] as number[] };
const problems: string[] = [];
const silent = () => undefined;

const { server, stop: stopServer } = await toolServer({
  url: process.env.BENCH_DATABASE_URL,
  dataDirName: 'bench-postgres',
  port: 5459,
  scope: SCOPE,
});
await buildStaleExtensions(SCOPE);
step(
  SCOPE,
  `PostgreSQL on ${server.host}:${server.port}; ${versions.length} version(s) in ${labelOf(dir)}; ${runs} run(s)`,
);

try {
  for (let run = 1; run <= runs; run += 1) {
    const db = await createTestDatabase(server, 'benchmigrate');
    try {
      step(SCOPE, `run ${run}/${runs}: directus bootstrap on ${db.database} (no extensions)`);
      const env = instanceEnv(db, 8055, runDir, { EXTENSIONS_PATH: noExtensions, LOG_LEVEL: 'warn' });
      let started = performance.now();
      await bootstrapDirectus(env);
      const bootstrapMs = performance.now() - started;
      step(SCOPE, `run ${run}/${runs}: bootstrap ${ms(bootstrapMs)} ms; migrate through ${versions.length} version(s)`);

      started = performance.now();
      const fresh = await migrate({ connection: db, dir, log: silent });
      const freshMs = performance.now() - started;
      if (fresh.applied.length !== versions.length)
        problems.push(`run ${run}: migrate applied ${fresh.applied.length} of ${versions.length} version(s)`);
      step(SCOPE, `run ${run}/${runs}: migrate fresh ${ms(freshMs)} ms (${fresh.applied.length} applied); again`);

      started = performance.now();
      const again = await migrate({ connection: db, dir, log: silent });
      const againMs = performance.now() - started;
      if (again.applied.length !== 0)
        problems.push(`run ${run}: the second migrate applied ${again.applied.join(', ')} (expected nothing to do)`);
      step(SCOPE, `run ${run}/${runs}: migrate again ${ms(againMs)} ms (${again.applied.length} applied)`);

      samples.bootstrap.push(bootstrapMs);
      samples.fresh.push(freshMs);
      samples.again.push(againMs);
      samples.total.push(bootstrapMs + freshMs);
    } finally {
      await dropDatabase(server, db.database);
    }
  }
} finally {
  await stopServer();
}

const row = (label: string, values: number[]) => [
  label,
  ms(percentile(values, 50)),
  ms(percentile(values, 95)),
  ms(Math.max(...values)),
];
console.log('');
console.log(
  formatTable(
    ['step', 'median ms', 'p95 ms', 'max ms'],
    [
      row('directus bootstrap (plain Directus, the baseline)', samples.bootstrap),
      row(`migrate fresh (all ${versions.length} version(s))`, samples.fresh),
      row('migrate again (no-op)', samples.again),
      row('bootstrap + migrate fresh', samples.total),
    ],
  ),
);
console.log('');
const freshMedian = percentile(samples.fresh, 50);
const bootstrapMedian = percentile(samples.bootstrap, 50);
console.log(
  `${runs} run(s), ${versions.length} version(s): migrating a fresh database takes ${ms(freshMedian)} ms (median), ` +
    `${(freshMedian / bootstrapMedian).toFixed(2)}× plain Directus's bootstrap; the bound is ${LIMIT_MS} ms`,
);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error('migrate did not do what it should: the figures above are not valid');
  process.exit(1);
}
if (smoke) {
  console.log(SMOKE_NOTE);
} else if (freshMedian > LIMIT_MS) {
  console.error(`migrating a fresh database took ${ms(freshMedian)} ms (median), over the ${LIMIT_MS} ms bound`);
  process.exit(1);
}

function ms(value: number): number {
  return Math.round(value);
}

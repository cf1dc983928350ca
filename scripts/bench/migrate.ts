// `npm run bench:migrate`: what `npm run migrate` costs on an EMPTY database (it installs Directus itself, then
// applies every version) against plain Directus's `directus bootstrap` on another empty database, and how that
// grows with the number of versions: the same again with N synthetic versions added after the real ones (each adds
// a column to tickets and backfills it in a migrate.ts). Per run: bootstrap (timed), migrate fresh (timed),
// migrate again (timed; must do nothing), migrate fresh with the synthetic versions (timed); each on its own
// throwaway database. Goals: migrate fresh ≤ 1.5× bootstrap, growth < 500 ms per version (medians).
// Options: --runs N (default 3), --synthetic N (default 10), --smoke (one run, 2 synthetic versions, goals not
// checked: CI's check that the bench works). The machine's load average is printed: figures from a busy machine
// are not comparable. Database: BENCH_DATABASE_URL, else the embedded PostgreSQL in .data/bench-postgres.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bootstrapDirectus } from '../lib/directus.js';
import { instanceEnv, TEST_ADMIN, testRunsDir } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { type PgConnection } from '../lib/postgres.js';
import { canonicalJson, type Json } from '../snapshots/core/canonical.js';
import { hashFiles, MANIFEST, versionChecksum, versionFolder } from '../snapshots/core/version.js';
import { migrate } from '../snapshots/migrator.js';
import {
  labelOf,
  listVersions,
  platformSnapshotsDir,
  readVersionFiles,
  snapshotsDir,
  writeVersion,
} from '../snapshots/store.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { benchServer } from './lib/server.js';
import { formatTable, percentile } from './lib/stats.js';

const SCOPE = 'bench';
const RATIO_GOAL = 1.5;
const GROWTH_GOAL_MS = 500;
const { smoke, values } = readBenchOptions({ runs: { full: '3', smoke: '1' }, synthetic: { full: '10', smoke: '2' } });
const runs = wholeNumber('runs', values.runs);
const syntheticCount = wholeNumber('synthetic', values.synthetic);

const dir = snapshotsDir();
const versions = listVersions(dir);
// The platform's line is applied too (decision 0029): a fresh migrate applies both lines' versions.
const platformVersions = listVersions(platformSnapshotsDir()).length;
if (versions.length === 0) throw new Error(`no versions in ${labelOf(dir)}: nothing to measure`);

const runDir = path.join(testRunsDir, 'bench-migrate');
const noExtensions = path.join(runDir, 'no-extensions');
mkdirSync(noExtensions, { recursive: true });
const workDir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-migrate-'));
const syntheticDir = withSyntheticVersions(path.join(workDir, 'snapshots'), syntheticCount);
const settings = { ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password };

const samples = { bootstrap: [] as number[], fresh: [] as number[], again: [] as number[], synthetic: [] as number[] };
const problems: string[] = [];
const silent = () => undefined;
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

const bench = await benchServer(SCOPE, { extensions: false });
const { server } = bench;
step(
  SCOPE,
  `PostgreSQL on ${server.host}:${server.port}; ${versions.length} version(s) in ${labelOf(dir)} ` +
    `(+${syntheticCount} synthetic); ${runs} run(s); ${os.cpus().length} CPUs, load average ${load()}`,
);

/** A throwaway database for one measurement, dropped afterwards whatever happens. */
async function onFreshDatabase<T>(label: string, use: (db: PgConnection) => Promise<T>): Promise<T> {
  const db = await bench.database(label);
  try {
    return await use(db);
  } finally {
    await bench.drop(db);
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

try {
  for (let run = 1; run <= runs; run += 1) {
    const at = `run ${run}/${runs}`;
    // Plain Directus: the bootstrap sees no extensions (an empty folder), as the baseline for an empty database.
    const bootstrapMs = await onFreshDatabase('benchboot', (db) =>
      timed(() =>
        bootstrapDirectus(instanceEnv(db, 8055, runDir, { EXTENSIONS_PATH: noExtensions, LOG_LEVEL: 'warn' })),
      ),
    );
    step(SCOPE, `${at}: directus bootstrap ${ms(bootstrapMs)} ms (load ${load()})`);

    const [freshMs, againMs] = await onFreshDatabase('benchmigrate', async (db) => {
      let applied: string[] = [];
      const fresh = await timed(async () => {
        applied = (await migrate({ connection: db, dir, settings, log: silent })).applied;
      });
      if (applied.length !== versions.length + platformVersions)
        problems.push(`${at}: migrate applied ${applied.length} of ${versions.length + platformVersions} version(s)`);
      const again = await timed(async () => {
        applied = (await migrate({ connection: db, dir, settings, log: silent })).applied;
      });
      if (applied.length !== 0) problems.push(`${at}: the second migrate applied ${applied.join(', ')}`);
      return [fresh, again];
    });
    step(SCOPE, `${at}: migrate fresh ${ms(freshMs)} ms, again ${ms(againMs)} ms (load ${load()})`);

    const syntheticMs = await onFreshDatabase('benchsynth', async (db) => {
      let applied: string[] = [];
      const time = await timed(async () => {
        applied = (await migrate({ connection: db, dir: syntheticDir, settings, log: silent })).applied;
      });
      const expected = versions.length + platformVersions + syntheticCount;
      if (applied.length !== expected)
        problems.push(`${at}: migrate applied ${applied.length} of ${expected} version(s)`);
      return time;
    });
    step(SCOPE, `${at}: migrate fresh +${syntheticCount} synthetic ${ms(syntheticMs)} ms (load ${load()})`);

    samples.bootstrap.push(bootstrapMs);
    samples.fresh.push(freshMs);
    samples.again.push(againMs);
    samples.synthetic.push(syntheticMs);
  }
} finally {
  await bench.close();
  rmSync(workDir, { recursive: true, force: true });
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
    ['step (each on an empty database)', 'median ms', 'p95 ms', 'max ms'],
    [
      row('directus bootstrap (plain Directus, the baseline)', samples.bootstrap),
      row(`migrate fresh (install + ${platformVersions} platform + ${versions.length} domain)`, samples.fresh),
      row('migrate again (no-op)', samples.again),
      row(
        `migrate fresh (install + ${platformVersions} + ${versions.length} + ${syntheticCount} synthetic)`,
        samples.synthetic,
      ),
    ],
  ),
);
console.log('');
const bootstrapMedian = percentile(samples.bootstrap, 50);
const freshMedian = percentile(samples.fresh, 50);
const ratio = freshMedian / bootstrapMedian;
const growth = (percentile(samples.synthetic, 50) - freshMedian) / syntheticCount;
console.log(
  `${runs} run(s), load average now ${load()}: migrate fresh is ${ratio.toFixed(2)}× directus bootstrap ` +
    `(goal ≤ ${RATIO_GOAL}×); each synthetic version adds ${ms(growth)} ms (goal < ${GROWTH_GOAL_MS} ms)`,
);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error('migrate did not do what it should: the figures above are not valid');
  process.exit(1);
}
if (smoke) {
  console.log(SMOKE_NOTE);
} else if (ratio > RATIO_GOAL || growth >= GROWTH_GOAL_MS) {
  console.error('a goal was missed (see above); on a busy machine, rerun when it is idle');
  process.exit(1);
}

function ms(value: number): number {
  return Math.round(value);
}

/**
 * A copy of the snapshots with `count` versions after the latest: each holds the latest state plus one more
 * nullable column on tickets (full state, so version k has k columns), and a migrate.ts that backfills it.
 */
function withSyntheticVersions(target: string, count: number): string {
  cpSync(dir, target, { recursive: true });
  const latest = versions.at(-1)!;
  const files = readVersionFiles(dir, latest.folder);
  delete files[MANIFEST];
  delete files['migrate.ts'];
  for (const file of Object.keys(files)) if (/^migrate-.*\.ts$/.test(file)) delete files[file];
  const schema = JSON.parse(files['schema.json'] as string) as { fields: Array<Record<string, unknown>> };
  const template = schema.fields.find((field) => field.collection === 'tickets' && field.field === 'subject');
  if (!template) throw new Error(`${latest.folder}/schema.json has no tickets.subject to model synthetic fields on`);
  for (let k = 1; k <= count; k += 1) {
    const field = `bench_note_${k}`;
    schema.fields.push({
      ...template,
      field,
      meta: { ...(template.meta as object), field, required: false, sort: 1000 + k },
      schema: { ...(template.schema as object), name: field, is_nullable: true },
    });
    const version = latest.version + k;
    const folder = versionFolder(version, `synthetic ${k}`);
    const versionFiles = {
      ...files,
      'schema.json': canonicalJson(schema as unknown as Json),
      'migrate.ts':
        `export async function up({ database }: { database: any }): Promise<void> {\n` +
        `  await database('tickets').whereNull('${field}').update({ ${field}: 'synthetic' });\n}\n`,
    };
    const hashes = hashFiles(versionFiles);
    writeVersion(target, folder, versionFiles, {
      version,
      name: `synthetic-${k}`,
      checksum: versionChecksum(hashes),
      files: hashes,
    });
  }
  return target;
}

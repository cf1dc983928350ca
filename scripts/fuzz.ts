// `npm run fuzz`: a property-based fuzz of our HTTP surface on a throwaway database (docs/decisions/0022-fuzz.md).
// Every route our OpenAPI document publishes (and the Directus routes our hooks take over) and the query parameters
// of every item endpoint, as every role (admin, manager, agent, content editor, customer, integration, public):
// no answer ≥ 500, every 4xx in Directus's error envelope without a stack trace. On a failure it prints the seed,
// the shrunk request and its answer, and exits 1.
// Options: --requests N (default 10000), --seed N (default: random, printed), --path P (with --seed: replay the
// one run a failure names, e.g. `--path 7336`, instead of the whole sequence), --smoke (200 requests, for CI).
// Database server: BENCH_DATABASE_URL, else the benches' embedded PostgreSQL.
import { buildStaleExtensions } from './lib/extensions.js';
import { createTestDatabase, TEST_ADMIN } from './lib/instance.js';
import { step } from './lib/log.js';
import { dropDatabase, toolServer } from './lib/postgres.js';
import { startMigratedInstance } from './snapshots/instance.js';
import { readBenchOptions, wholeNumber } from './bench/lib/options.js';
import { formatHistogram, summaryLine } from './fuzz/core/verdict.js';
import { createFuzzFixture } from './fuzz/fixture.js';
import { reportFailure, runFuzz } from './fuzz/run.js';

const SCOPE = 'fuzz';
const { smoke, values } = readBenchOptions({
  requests: { full: '10000', smoke: '200' },
  seed: { full: '', smoke: '' },
  path: { full: '', smoke: '' },
});
if (values.path !== '' && values.seed === '') throw new Error('--path replays a run of a seed: give --seed too');
const requests = wholeNumber('requests', values.requests);
const seed = values.seed === '' ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('seed', values.seed, 0);

const { server, stop: stopServer } = await toolServer({
  url: process.env.BENCH_DATABASE_URL,
  dataDirName: 'bench-postgres',
  port: 5459,
  scope: SCOPE,
});
await buildStaleExtensions(SCOPE);
const db = await createTestDatabase(server, 'fuzz');
let failed = false;
try {
  step(SCOPE, `booting Directus on ${db.database} (migrated to the latest snapshot version)`);
  const instance = await startMigratedInstance({
    db,
    name: 'fuzz',
    // No overload answers (503) while one client sends as fast as it can; tokens outlive the longest run.
    env: { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false', ACCESS_TOKEN_TTL: '6h' },
  });
  try {
    const fixture = await createFuzzFixture(instance.baseUrl, TEST_ADMIN);
    step(SCOPE, `${requests} requests, seed ${seed}`);
    const result = await runFuzz({
      fixture,
      requests,
      seed,
      path: values.path || undefined,
      log: (line) => step(SCOPE, line),
    });
    step(
      SCOPE,
      `targets: ${result.targets.operations.length} operations, ${result.targets.items.length} item endpoints`,
    );
    for (const line of formatHistogram(result.tally)) console.log(line);
    if (result.replaced.main > 0)
      step(SCOPE, `WARNING: ${result.replaced.main} main account(s) lost their session and were replaced`);
    step(SCOPE, `${result.replaced.spare} spare account(s) replaced after changes to themselves`);
    if (result.failure) {
      failed = true;
      for (const line of reportFailure(result.failure)) console.error(line);
    }
    console.log(summaryLine(result.tally, seed));
  } finally {
    await instance.stop();
  }
} finally {
  await dropDatabase(server, db.database);
  await stopServer();
}
if (smoke) console.log('smoke run (--smoke): the fuzz runs end to end at a small count; the property was checked');
if (failed) process.exit(1);

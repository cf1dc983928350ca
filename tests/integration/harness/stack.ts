// The test stack, run as its own process by global-setup.mjs for one `npm test`: builds the extensions, gets a
// Postgres (TEST_DATABASE_URL / PG*, else the embedded one), creates a throwaway database, bootstraps it, applies the snapshot versions (npm run migrate) and starts Directus.
// It prints READY_MARKER when the context file is written, and tears everything down on SIGTERM or when its
// parent goes away (stdin closes), so a killed test run leaves no Directus or database behind.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildStaleExtensions, listExtensions } from '../../../scripts/lib/extensions.js';
import { step } from '../../../scripts/lib/log.js';
import { dataDir, testExtensionsDir } from '../../../scripts/lib/paths.js';
import {
  configuredServer,
  dropDatabase,
  startEmbeddedPostgres,
  type EmbeddedServer,
  type PgConnection,
} from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { contextFile, READY_MARKER, RETIRED_SWITCHES, type HarnessContext } from './context.js';
import { createTestDatabase, TEST_ADMIN, testRunsDir, type DirectusInstance } from '../../../scripts/lib/instance.js';

const SCOPE = 'test';

let instance: DirectusInstance | undefined;
let embedded: EmbeddedServer | undefined;
let server: PgConnection | undefined;
let database: string | undefined;

async function up(): Promise<void> {
  const started = Date.now();
  rmSync(testRunsDir, { recursive: true, force: true });
  mkdirSync(testRunsDir, { recursive: true });
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`Directus 11 needs Node 22; this is ${process.version}. Run the tests with \`npm test\`.`);
  }
  // The shipped extensions, and the test-only ones that instances of some tests load besides (the jobs probe).
  await buildStaleExtensions(SCOPE, [...listExtensions(), ...listExtensions(testExtensionsDir)]);

  server = configuredServer(process.env) ?? undefined;
  if (server) {
    step(SCOPE, `database server: ${server.host}:${server.port} (from TEST_DATABASE_URL / PG*)`);
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'test-postgres'), port: 5449, scope: SCOPE });
    server = embedded.connection;
  }

  const db = await createTestDatabase(server, 'main');
  database = db.database;
  step(SCOPE, `throwaway database ${db.database}: bootstrapping Directus`);
  instance = await startMigratedInstance({
    db,
    name: 'main',
    env: RETIRED_SWITCHES,
    log: (message) => step(SCOPE, `migrate: ${message}`),
  });
  const main = instance;
  step(SCOPE, `Directus is ready at ${instance.baseUrl} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

  const context: HarnessContext = {
    baseUrl: instance.baseUrl,
    logFile: instance.logFile,
    server,
    db,
    admin: TEST_ADMIN,
    retiredSwitches: Object.fromEntries(Object.keys(RETIRED_SWITCHES).map((key) => [key, main.env[key]])),
  };
  writeFileSync(contextFile, JSON.stringify(context, null, 2));
}

let downing: Promise<void> | undefined;
function down(): Promise<void> {
  downing ??= (async () => {
    await instance?.stop();
    if (server && database) {
      await dropDatabase(server, database);
      step(SCOPE, `dropped ${database}`);
    }
    await embedded?.stop();
  })();
  return downing;
}

const finish = (code: number) => () =>
  void down().then(
    () => process.exit(code),
    (error: unknown) => {
      console.error(`[${SCOPE}] teardown failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
process.on('SIGTERM', finish(0));
process.on('SIGINT', finish(0));
process.stdin.on('end', finish(0));
process.stdin.resume();

up().then(
  () => console.log(READY_MARKER),
  async (error: unknown) => {
    console.error(`[${SCOPE}] ${(error as Error).message ?? String(error)}`);
    await down().catch(() => undefined);
    process.exit(1);
  },
);

// The test stack, run as its own process by global-setup.mjs for one `npm test`: builds the extensions, gets a
// Postgres (TEST_DATABASE_URL / PG*, else the embedded one), migrates a template database (npm run migrate: Directus
// installed, the snapshot versions applied) and starts the main Directus instance(s), each on a copy of it.
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
import { migrateDatabase, startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { FIXTURE_LINE } from './fixture-line.js';
import {
  contextFile,
  MAIN_METRICS_TOKEN,
  MAIN_STORAGE_ROOT,
  READY_MARKER,
  RETIRED_SWITCHES,
  type MainInstance,
  type StackContext,
} from './context.js';
import { createTestDatabase, TEST_ADMIN, testRunsDir, type DirectusInstance } from '../../../scripts/lib/instance.js';

const SCOPE = 'test';

/** How many main instances to start: one per Jest worker that will run integration files (global-setup.mjs says). */
const mainCount = Math.max(1, Number(process.env.GROUNDWORK_TEST_MAINS) || 1);

const instances: DirectusInstance[] = [];
const databases: string[] = [];
let embedded: EmbeddedServer | undefined;
let server: PgConnection | undefined;

async function up(): Promise<void> {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  rmSync(testRunsDir, { recursive: true, force: true });
  mkdirSync(testRunsDir, { recursive: true });
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`Directus 11 needs Node 22; this is ${process.version}. Run the tests with \`npm test\`.`);
  }

  server = configuredServer(process.env) ?? undefined;
  if (server) {
    step(SCOPE, `database server: ${server.host}:${server.port} (from TEST_DATABASE_URL / PG*)`);
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'test-postgres'), port: 5449, scope: SCOPE });
    server = embedded.connection;
  }
  const pgServer = server;

  // The shipped extensions, and the test-only ones that instances of some tests load besides (the jobs probe): each
  // build is a process of its own, so they run side by side, and beside the template's migrate, which loads none.
  const builds = Promise.all(
    [...listExtensions(), ...listExtensions(testExtensionsDir)].map((dir) => buildStaleExtensions(SCOPE, [dir])),
  );
  // The template: migrated once here, then never connected to again, so that every test database that needs the
  // snapshot versions is a copy of it (createTestDatabase's `template`) instead of a migrate from empty.
  const migrated = (async () => {
    const template = await createTestDatabase(pgServer, 'template');
    databases.push(template.database);
    step(SCOPE, `template database ${template.database}: npm run migrate`);
    await migrateDatabase(template, {
      env: RETIRED_SWITCHES,
      log: (message) => step(SCOPE, `migrate: ${message}`),
    });
    return template.database;
  })();
  // The fixture domain's template (tests/fixtures/domain): the platform's tests run on copies of it, with only the
  // platform bundle loaded (harness/fixture.ts).
  const fixtureMigrated = (async () => {
    const fixture = await createTestDatabase(pgServer, 'fixture-template');
    databases.push(fixture.database);
    step(SCOPE, `fixture template ${fixture.database}: migrate through the fixture domain's line`);
    await migrateDatabase(fixture, {
      dir: FIXTURE_LINE,
      env: RETIRED_SWITCHES,
      log: (message) => step(SCOPE, `migrate (fixture): ${message}`),
    });
    return fixture.database;
  })();
  const [template, fixtureTemplate] = await settled([migrated, fixtureMigrated, builds]);
  step(SCOPE, `template migrated and extensions built (${seconds()})`);

  // One main instance per Jest worker, each on its own copy of the template, so files that run side by side never
  // share an instance (some change instance-wide state for their duration, e.g. privacy-erasure's admins).
  const mains = await settled(
    Array.from({ length: mainCount }, async (_, index) => {
      const db = await createTestDatabase(pgServer, `main${index + 1}`, { template });
      databases.push(db.database);
      const instance = await startMigratedInstance({
        db,
        name: index === 0 ? 'main' : `main-${index + 1}`,
        env: {
          ...RETIRED_SWITCHES,
          METRICS_TOKEN: MAIN_METRICS_TOKEN,
          // One storage root for every main instance (files are named by UUID): tests look for the files the main
          // instance stored under .test-runs/main/uploads.
          STORAGE_LOCAL_ROOT: MAIN_STORAGE_ROOT,
        },
        log: (message) => step(SCOPE, `migrate: ${message}`),
      });
      instances.push(instance);
      const main: MainInstance = {
        baseUrl: instance.baseUrl,
        logFile: instance.logFile,
        db,
        retiredSwitches: Object.fromEntries(Object.keys(RETIRED_SWITCHES).map((key) => [key, instance.env[key]])),
      };
      return main;
    }),
  );
  step(
    SCOPE,
    `${mains.length} main Directus instance(s) ready at ${mains.map((main) => main.baseUrl).join(', ')} (${seconds()})`,
  );

  const context: StackContext = { server: pgServer, template, fixtureTemplate, admin: TEST_ADMIN, mains };
  writeFileSync(contextFile, JSON.stringify(context, null, 2));
}

/**
 * Promise.all that waits for every promise before it rejects, so teardown does not run while a migrate or a
 * Directus is still being started (it would miss that process).
 */
async function settled<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
  for (const result of await Promise.allSettled(promises)) if (result.status === 'rejected') throw result.reason;
  return Promise.all(promises);
}

let downing: Promise<void> | undefined;
function down(): Promise<void> {
  downing ??= (async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    if (server) {
      for (const database of databases) {
        await dropDatabase(server, database);
        step(SCOPE, `dropped ${database}`);
      }
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

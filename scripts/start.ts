// `npm start`: sets up and runs Groundwork on this machine.
// First run: .env with fresh secrets. Database: DB_* when set, else the embedded PostgreSQL in .data/postgres.
// Then: build stale extensions, bootstrap Directus, apply pending snapshot versions (as `npm run migrate`), start
// it, and print where to log in. Ctrl-C stops everything.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkEnv, describeEnvProblems } from '../extensions/platform/src/shared/env.js';
import { bootstrapDirectus, spawnDirectus, waitUntilReady } from './lib/directus.js';
import { ensureEnvFile, envPath, readEnvFile } from './lib/env-file.js';
import { buildStaleExtensions } from './lib/extensions.js';
import { step } from './lib/log.js';
import { dataDir } from './lib/paths.js';
import {
  directusDbEnv,
  ensureDatabase,
  startEmbeddedPostgres,
  withClient,
  type EmbeddedServer,
} from './lib/postgres.js';
import { buildDemo, DEMO_PASSWORD } from './seed/core/demo.js';
import { demoStorageRoot, ensureDemoData } from './seed/database.js';
import { stopProcess, waitForExit } from './lib/processes.js';
import { connectionFromSettings } from './snapshots/connection.js';
import { migrate } from './snapshots/migrator.js';
import { snapshotsDir } from './snapshots/store.js';

const SCOPE = 'start';
const READY_TIMEOUT_MS = 90_000;

async function main(): Promise<number> {
  const started = Date.now();
  const created = ensureEnvFile();
  if (created.created) {
    step(SCOPE, `created ${path.basename(envPath)} from .env.example with a random SECRET and admin password`);
  }

  // Directus gives .env precedence over the process environment; decide with the same view it will have.
  const fileEnv = readEnvFile();
  const view: Record<string, string | undefined> = { ...process.env, ...fileEnv };
  const checked = checkEnv(view);
  if (!checked.ok) {
    console.error(describeEnvProblems(checked.problems));
    return 1;
  }

  let embedded: EmbeddedServer | undefined;
  // Demo data goes only into the embedded database `npm start` has just created, never into a configured server.
  let firstRun = false;
  let dbEnv: Record<string, string> = {};
  const configured = connectionFromSettings(view);
  if (configured) {
    step(SCOPE, `database: using the server from DB_* settings (${configured.host}:${configured.port})`);
  } else {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: checked.env.GROUNDWORK_EMBEDDED_PG_PORT,
      scope: SCOPE,
    });
    firstRun = await ensureDatabase(embedded.connection, 'directus');
    if (firstRun) step(SCOPE, 'created database "directus"');
    dbEnv = directusDbEnv({ ...embedded.connection, database: 'directus' });
  }

  let directus: ReturnType<typeof spawnDirectus> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    step(SCOPE, `${signal}: stopping Directus${embedded ? ' and the embedded PostgreSQL' : ''}`);
    if (directus) await stopProcess(directus);
    await embedded?.stop();
    step(SCOPE, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
    await buildStaleExtensions(SCOPE);
    const env = { ...process.env, ...dbEnv };
    step(SCOPE, 'directus bootstrap: installing or migrating the database');
    await bootstrapDirectus(env);
    const connection = configured ?? { ...embedded!.connection, database: 'directus' };
    step(SCOPE, 'migrate: applying pending snapshot versions');
    await migrate({ connection, dir: snapshotsDir(), log: (message) => step(SCOPE, `migrate: ${message}`) });
    if (firstRun) {
      const demo = await withClient(connection, (client) =>
        ensureDemoData(client, buildDemo(), DEMO_PASSWORD, demoStorageRoot(view)),
      );
      if (demo.written)
        step(SCOPE, `demo data written (logins in README, password ${DEMO_PASSWORD}); npm run seed adds more`);
    }

    step(SCOPE, 'starting Directus');
    directus = spawnDirectus(env, 'inherit');
    const port = checked.env.PORT;
    const localUrl = `http://localhost:${port}`;
    await waitUntilReady(localUrl, directus, READY_TIMEOUT_MS);

    const publicUrl = (view.PUBLIC_URL && view.PUBLIC_URL !== '/' ? view.PUBLIC_URL : localUrl).replace(/\/$/, '');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log('');
    console.log(`  Groundwork is ready after ${seconds}s`);
    console.log(`  Admin app:  ${publicUrl}/admin`);
    console.log(`  Log in as:  ${view.ADMIN_EMAIL ?? 'the ADMIN_EMAIL in .env'}`);
    if (created.adminPassword) {
      console.log(`  Password:   ${created.adminPassword}   (shown once; it is ADMIN_PASSWORD in .env)`);
    } else {
      console.log('  Password:   ADMIN_PASSWORD in .env (as set when the database was first created)');
    }
    console.log(`  Health:     ${publicUrl}/groundwork/v1/health/ready`);
    console.log('  Ctrl-C stops Directus and the embedded PostgreSQL.');
    console.log('');

    const code = await waitForExit(directus);
    if (!stopping) {
      step(SCOPE, `Directus exited with code ${code}`);
      await embedded?.stop();
      return code ?? 1;
    }
    return 0;
  } catch (error) {
    console.error(`[${SCOPE}] ${(error as Error).message}`);
    if (directus) await stopProcess(directus);
    await embedded?.stop();
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[${SCOPE}] ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);

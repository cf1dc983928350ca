// `npm start`: sets up and runs Groundwork on this machine.
// First run: .env with fresh secrets. Settings: .env, with the process environment winning (`PORT=9000 npm start`).
// Database: DB_* when set, else the embedded PostgreSQL in .data/postgres. Mail: EMAIL_* when set, else a local
// capture that saves every message in .data/mail/. Then: build stale extensions, install Directus on an empty
// database and apply pending snapshot versions (`npm run migrate`, one process), start it, and print where to log in. Ctrl-C stops everything in order:
// Directus (which lets running jobs finish), then the mail capture, then PostgreSQL.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkEnv, describeEnvProblems } from '../extensions/platform/src/shared/env.js';
import { spawnDirectus, waitUntilReady } from './lib/directus.js';
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
import { loadFirstStartDemo } from './lib/first-start-demo.js';
import { stopProcess, waitForExit } from './lib/processes.js';
import { startSmtpCapture, smtpTransportEnv, type SmtpCapture } from './lib/smtp-capture.js';
import { mailIsConfigured, mergeStartEnv } from './lib/start-env.js';
import { connectionFromSettings } from './snapshots/connection.js';
import { BOOTSTRAP_KEYS } from './snapshots/directus-api.js';
import { migrate } from './snapshots/migrator.js';
import { domainFolder, snapshotsDir } from './snapshots/store.js';

const SCOPE = 'start';
const READY_TIMEOUT_MS = 90_000;
// Directus drains running jobs for up to JOBS_SHUTDOWN_TIMEOUT_MS (10 s by default) before it exits.
const DIRECTUS_STOP_GRACE_MS = 30_000;
const mailDir = path.join(dataDir, 'mail');

async function main(): Promise<number> {
  const started = Date.now();
  const created = ensureEnvFile();
  if (created.created) {
    step(SCOPE, `created ${path.basename(envPath)} from .env.example with a random SECRET and admin password`);
  }

  // Directus would let .env win over the environment; it gets this merged view instead, and no .env to read.
  const view = mergeStartEnv(readEnvFile(), process.env);
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
      ownProcessGroup: true,
    });
    firstRun = await ensureDatabase(embedded.connection, 'directus');
    if (firstRun) step(SCOPE, 'created database "directus"');
    dbEnv = directusDbEnv({ ...embedded.connection, database: 'directus' });
  }

  let directus: ReturnType<typeof spawnDirectus> | undefined;
  let mail: SmtpCapture | undefined;
  // Directus and PostgreSQL run in process groups of their own, so a Ctrl-C reaches only this process: Directus
  // first (it drains running jobs on SIGTERM), then what it uses.
  const stopAll = async () => {
    if (directus) await stopProcess(directus, DIRECTUS_STOP_GRACE_MS);
    await mail?.stop();
    await embedded?.stop();
  };
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    step(SCOPE, `${signal}: stopping Directus${embedded ? ', then the embedded PostgreSQL' : ''}`);
    await stopAll();
    step(SCOPE, 'stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

  try {
    mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
    await buildStaleExtensions(SCOPE);
    let mailEnv: Record<string, string> = {};
    if (!mailIsConfigured(view)) {
      mail = await startSmtpCapture({
        saveDir: mailDir,
        keep: false,
        onMail: (message) =>
          step(
            'mail',
            `${path.relative(process.cwd(), message.file!)}: "${message.subject}" to ${message.to.join(', ')}`,
          ),
      });
      mailEnv = smtpTransportEnv(mail.port);
      step(SCOPE, `mail: no EMAIL_TRANSPORT or EMAIL_SMTP_* set; a local capture keeps every email in .data/mail/`);
    }
    // CONFIG_PATH names no file: Directus reads everything from this env, where the process environment won.
    // EXTENSIONS_MUST_LOAD: a .env from before it was required (decision 0024) gets the safe value, not a refusal.
    const env = {
      EXTENSIONS_MUST_LOAD: 'true',
      ...view,
      ...dbEnv,
      ...mailEnv,
      CONFIG_PATH: path.join(dataDir, 'no-env-file-read-by-directus'),
    };
    const connection = configured ?? { ...embedded!.connection, database: 'directus' };
    // One process installs Directus on an empty database (as `directus bootstrap`) and applies pending versions.
    step(SCOPE, 'migrate: bootstrapping Directus if needed, applying pending snapshot versions');
    await migrate({
      connection,
      dir: snapshotsDir(),
      settings: Object.fromEntries(BOOTSTRAP_KEYS.map((key) => [key, view[key]])),
      log: (message) => step(SCOPE, `migrate: ${message}`),
    });
    if (firstRun) {
      const demo = await loadFirstStartDemo(domainFolder(snapshotsDir()));
      if (!demo) step(SCOPE, 'no demo data: the domain has no seed/first-start.ts');
      const printed = demo ? await withClient(connection, (client) => demo.writeDemoData(client, view)) : [];
      for (const line of printed) step(SCOPE, line);
    }

    step(SCOPE, 'starting Directus');
    directus = spawnDirectus(env, 'inherit', { ownProcessGroup: true });
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
    if (mail)
      console.log(`  Mail:       every email is saved in ${path.relative(process.cwd(), mailDir) || mailDir}/ (.eml)`);
    console.log('  Ctrl-C stops Directus and the embedded PostgreSQL.');
    console.log('');

    const code = await waitForExit(directus);
    if (!stopping) {
      step(SCOPE, `Directus exited with code ${code}`);
      await stopAll();
      return code ?? 1;
    }
    // shutdown() ends the process once everything has stopped.
    return await new Promise<never>(() => undefined);
  } catch (error) {
    console.error(`[${SCOPE}] ${(error as Error).message}`);
    await stopAll();
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

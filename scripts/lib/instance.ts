// Real Directus processes for tests and benchmarks: each on a free port, its own log file, stopped by the caller.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { bootstrapDirectus, spawnDirectus, waitUntilReady } from './directus.js';
import { freePort } from './free-port.js';
import { readSecurityBaseline } from './security-baseline.js';
import { listExtensions } from './extensions.js';
import { extensionsDir, repoRoot, testExtensionsDir } from './paths.js';
import { directusDbEnv, ensureDatabase, withClient, type PgConnection } from './postgres.js';
import { stopProcess, waitForExit } from './processes.js';

export const TEST_ADMIN = { email: 'admin@example.com', password: 'admin-password-for-tests-only' };
export const testRunsDir = path.join(repoRoot, '.test-runs');

/**
 * A fresh database on the test server, named so leftovers from a crashed run are easy to spot. With `template`, a
 * copy of that database (CREATE DATABASE ... TEMPLATE: a file copy, well under a second, where migrating an empty
 * database loads Directus and takes over ten); Postgres refuses it while anyone is connected to the template, so a
 * template is a database nothing connects to once it is made.
 */
export async function createTestDatabase(
  server: PgConnection,
  label: string,
  options: { template?: string } = {},
): Promise<PgConnection> {
  const name = `gw_test_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (options.template) {
    const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
    await withClient({ ...server, database: 'postgres' }, (client) =>
      client.query(`create database ${quote(name)} template ${quote(options.template!)}`),
    );
  } else {
    await ensureDatabase(server, name);
  }
  return { ...server, database: name };
}

/**
 * The whole environment of a test instance, built from scratch: nothing leaks in from the developer's shell or
 * their .env (CONFIG_PATH points at a file that does not exist).
 */
export function instanceEnv(db: PgConnection, port: number, runDir: string, overrides: Record<string, string> = {}) {
  const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].filter((key) => process.env[key] !== undefined);
  return {
    ...Object.fromEntries(inherited.map((key) => [key, process.env[key]])),
    CONFIG_PATH: path.join(runDir, 'no-config-file.env'),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    EXTENSIONS_PATH: extensionsDir,
    EXTENSIONS_MUST_LOAD: 'true',
    EXTENSIONS_AUTO_RELOAD: 'false',
    STORAGE_LOCATIONS: 'local',
    STORAGE_LOCAL_ROOT: path.join(runDir, 'uploads'),
    // Directus writes the app-extension bundle it serves under TEMP_PATH (default ./node_modules/.directus, shared
    // by every instance on the machine, worktrees included): one folder per instance, or they serve each other's.
    TEMP_PATH: path.join(runDir, 'tmp'),
    LOG_STYLE: 'raw',
    LOG_LEVEL: 'info',
    TELEMETRY: 'false',
    // The security baseline users get (.env.example): deny list, argon2id costs, query and upload limits, no cache.
    ...readSecurityBaseline(),
    // Tests and benchmarks send bursts from one address; the limiter has its own tests where it matters.
    RATE_LIMITER_ENABLED: 'false',
    // Directus's pressure limiter answers 503 when the event loop lags, which a CI machine running several
    // instances makes happen at random; the benchmarks turn it off for the same reason.
    PRESSURE_LIMITER_ENABLED: 'false',
    GROUNDWORK_HEALTH_TIMEOUT_MS: '1000',
    // Production requires a malware scanner (decision 0061): an instance given the fake clamd's host scans with it,
    // the others opt out by name, as an install without clamd must.
    ...('GROUNDWORK_FILES_SCAN' in overrides || overrides['GROUNDWORK_CLAMD_HOST']
      ? {}
      : { GROUNDWORK_FILES_SCAN: 'off' }),
    ...directusDbEnv(db),
    ...overrides,
  } as NodeJS.ProcessEnv;
}

export interface DirectusInstance {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  process: ChildProcess;
  /** Everything the process printed so far, one entry per line. */
  output(): string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  db: PgConnection;
  name: string;
  env?: Record<string, string>;
  bootstrap?: boolean;
  /** Runs between bootstrap and start, e.g. `npm run migrate`'s work. */
  afterBootstrap?: () => Promise<void>;
  /** Wait until readiness answers 200 (default); off for instances expected to fail. */
  waitReady?: boolean;
  /**
   * Test-only extensions (folder names under tests/extensions, built) to load besides the shipped ones, e.g. the
   * jobs probe. Without them the instance reads extensions/ itself, as production does.
   */
  testExtensions?: string[];
  /** Shipped extensions (folder names under extensions/) to load, e.g. ['platform'] without a domain; default all. */
  shipped?: string[];
}

/**
 * Directus reads one EXTENSIONS_PATH folder: an instance that also loads test-only extensions gets a folder of its
 * own, with a link to every shipped extension (or each one `shipped` names) and to each named test one.
 */
export function assembleExtensionsFolder(runDir: string, testExtensions: string[], shipped?: string[]): string {
  const folder = path.join(runDir, 'extensions');
  rmSync(folder, { recursive: true, force: true }); // removes the links, never what they point at
  mkdirSync(folder, { recursive: true });
  const shippedDirs = listExtensions().filter((dir) => !shipped || shipped.includes(path.basename(dir)));
  const missing = (shipped ?? []).filter((name) => !shippedDirs.some((dir) => path.basename(dir) === name));
  if (missing.length) throw new Error(`no shipped extension ${missing.join(', ')} in ${extensionsDir}`);
  const dirs = [...shippedDirs, ...testExtensions.map((name) => path.join(testExtensionsDir, name))];
  for (const dir of dirs) {
    if (!existsSync(path.join(dir, 'dist', 'api.js')))
      throw new Error(`extension ${dir} is not built (buildStaleExtensions builds it)`);
    symlinkSync(dir, path.join(folder, path.basename(dir)), 'dir');
  }
  return folder;
}

export async function startInstance(options: StartOptions): Promise<DirectusInstance> {
  const port = await freePort();
  const runDir = path.join(testRunsDir, options.name);
  mkdirSync(path.join(runDir, 'uploads'), { recursive: true });
  const extensions: Record<string, string> =
    options.testExtensions?.length || options.shipped
      ? { EXTENSIONS_PATH: assembleExtensionsFolder(runDir, options.testExtensions ?? [], options.shipped) }
      : {};
  const env = instanceEnv(options.db, port, runDir, { ...extensions, ...options.env });
  if (options.bootstrap) await bootstrapDirectus(env);
  await options.afterBootstrap?.();

  const logFile = path.join(runDir, 'directus.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const lines: string[] = [];
  let partial = '';
  const child = spawnDirectus(env, 'pipe');
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const baseUrl = `http://127.0.0.1:${port}`;
  const instance: DirectusInstance = {
    baseUrl,
    env,
    logFile,
    process: child,
    output: () => (partial ? [...lines, partial] : [...lines]),
    async stop() {
      await stopProcess(child);
      await new Promise((resolve) => log.end(resolve));
    },
  };
  if (options.waitReady !== false) {
    try {
      // A boot takes seconds on an idle machine and over a minute on a loaded 2-core one (two test files at a time,
      // or other work beside them); a process that exits fails at once whatever the bound.
      await waitUntilReady(baseUrl, child, 180_000);
    } catch (error) {
      await instance.stop();
      throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${instance.output().slice(-30).join('\n')}`);
    }
  }
  return instance;
}

/** Resolves with the exit code, or rejects if the process is still running after timeoutMs. */
export async function exitWithin(instance: DirectusInstance, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([waitForExit(instance.process), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An access token for the test admin on a running instance (the tool scripts act as that admin). */
export async function adminToken(baseUrl: string): Promise<string> {
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(TEST_ADMIN),
  });
  if (!login.ok) throw new Error(`admin login answered ${login.status}`);
  return ((await login.json()) as { data: { access_token: string } }).data.access_token;
}

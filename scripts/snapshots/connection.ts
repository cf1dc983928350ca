// Which database the snapshot commands work on: --database-url, else Directus's DB_* settings (environment and
// .env), else the embedded PostgreSQL that `npm start` uses (started for the command and stopped after it).
import path from 'node:path';
import { checkEnv } from '../../extensions/platform/src/shared/env.js';
import { readEnvFile } from '../lib/env-file.js';
import { dataDir } from '../lib/paths.js';
import { connectionFromUrl, ensureDatabase, startEmbeddedPostgres, type PgConnection } from '../lib/postgres.js';

/** The connection Directus would use from DB_* settings, or null when none are set. */
export function connectionFromSettings(view: Record<string, string | undefined>): PgConnection | null {
  if (view.DB_CONNECTION_STRING) return connectionFromUrl(view.DB_CONNECTION_STRING);
  if (!view.DB_CLIENT && !view.DB_HOST) return null;
  if (view.DB_CLIENT && view.DB_CLIENT !== 'pg') throw new Error(`DB_CLIENT=${view.DB_CLIENT}: Groundwork runs on pg only`);
  return {
    host: view.DB_HOST ?? '127.0.0.1',
    port: Number(view.DB_PORT ?? 5432),
    user: view.DB_USER ?? 'postgres',
    password: view.DB_PASSWORD || undefined,
    database: view.DB_DATABASE ?? 'directus',
  };
}

export async function openTarget(
  databaseUrl: string | undefined,
  scope: string,
): Promise<{ connection: PgConnection; close(): Promise<void> }> {
  if (databaseUrl) return { connection: connectionFromUrl(databaseUrl), close: async () => undefined };
  const view = { ...process.env, ...readEnvFile() };
  const configured = connectionFromSettings(view);
  if (configured) return { connection: configured, close: async () => undefined };
  const checked = checkEnv(view);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    port: checked.ok ? checked.env.GROUNDWORK_EMBEDDED_PG_PORT : 5439,
    scope,
  });
  await ensureDatabase(embedded.connection, 'directus');
  return { connection: { ...embedded.connection, database: 'directus' }, close: () => embedded.stop() };
}

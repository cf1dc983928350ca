// `npm run db`: runs the embedded PostgreSQL alone, in the foreground, and prints how to connect.
// Options: --data-dir DIR (default .data/postgres, the one `npm start` uses), --port N (default from .env).
// Tests use it to own a Postgres they can stop: it prints a JSON line {"ready":...} and stops cleanly on SIGTERM.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkEnv } from '../extensions/platform/src/shared/env.js';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { dataDir } from './lib/paths.js';
import { startEmbeddedPostgres } from './lib/postgres.js';

const SCOPE = 'db';
const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' } } });
const checked = checkEnv({ ...process.env, ...readEnvFile() });
const port = Number(values.port ?? (checked.ok ? checked.env.GROUNDWORK_EMBEDDED_PG_PORT : 5439));
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`[${SCOPE}] --port must be a whole number between 1 and 65535`);
  process.exit(2);
}

const server = await startEmbeddedPostgres({
  dataDir: path.resolve(values['data-dir'] ?? path.join(dataDir, 'postgres')),
  port,
  scope: SCOPE,
});
const { user, password, host } = server.connection;
step(SCOPE, `ready: postgres://${user}:${password}@${host}:${server.connection.port}/postgres (Ctrl-C stops it)`);
console.log(JSON.stringify({ ready: server.connection }));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  step(SCOPE, 'stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

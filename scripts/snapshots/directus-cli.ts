// Directus's own `schema snapshot`, run offline against a database (no Directus server).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { directusCli, repoRoot } from '../lib/paths.js';
import { directusDbEnv, type PgConnection } from '../lib/postgres.js';
import { runToCompletion } from '../lib/processes.js';

/** Only what the CLI needs: no .env (CONFIG_PATH names a missing file) and no extensions (they may check env). */
function cliEnv(connection: PgConnection): NodeJS.ProcessEnv {
  const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].filter((key) => process.env[key] !== undefined);
  const noExtensions = path.join(os.tmpdir(), 'groundwork-no-extensions');
  mkdirSync(noExtensions, { recursive: true });
  return {
    ...Object.fromEntries(inherited.map((key) => [key, process.env[key]])),
    CONFIG_PATH: path.join(noExtensions, 'no-config-file.env'),
    SECRET: randomBytes(32).toString('hex'),
    EXTENSIONS_PATH: noExtensions,
    LOG_LEVEL: 'warn',
    LOG_STYLE: 'raw',
    TELEMETRY: 'false',
    CACHE_ENABLED: 'false',
    ...directusDbEnv(connection),
  } as NodeJS.ProcessEnv;
}

export async function snapshotSchema(connection: PgConnection): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-schema-'));
  try {
    const file = path.join(dir, 'schema.json');
    await runToCompletion(process.execPath, [directusCli, 'schema', 'snapshot', file, '--format', 'json', '--yes'], {
      cwd: repoRoot,
      env: cliEnv(connection),
      label: 'directus schema snapshot',
    });
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The backup and restore scripts as `npm run backup` / `npm run restore` run them, for the tests that drive them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../../scripts/lib/paths.js';
import type { PgConnection } from '../../../scripts/lib/postgres.js';

/** A postgres:// URL of a connection, as the scripts' --database-url takes it. */
export const urlOf = (db: PgConnection) =>
  `postgres://${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@${db.host}:${db.port}/${db.database}`;

/** Runs scripts/<script>.ts with tsx: exit code and everything printed. `env` is added to this process's env. */
export function runScript(
  script: 'backup' | 'restore',
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', `${script}.ts`), ...args],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// `migrate()`: `npm run migrate`'s work for scripts and tests, run as that script in a child process. Directus is
// loaded into the process that migrates, for one database (directus-api.ts), so callers that migrate several
// databases (benchmarks, tests) or keep running afterwards (`npm start`) each get a process of its own.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { bundleModule } from '../lib/bundle.js';
import { repoRoot } from '../lib/paths.js';
import type { PgConnection } from '../lib/postgres.js';
import type { MigrateResult } from './migrate-run.js';

export type { MigrateResult } from './migrate-run.js';

/** How migrator.ts hands the database to scripts/migrate.ts: a URL in the environment, not on the command line. */
export const MIGRATE_DATABASE_URL = 'GROUNDWORK_MIGRATE_DATABASE_URL';

export interface MigrateOptions {
  connection: PgConnection;
  dir: string;
  /** The platform's line, when not the default (extensions/platform/snapshots/). */
  platformDir?: string;
  dryRun?: boolean;
  /** ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOKEN, PROJECT_NAME, PROJECT_OWNER: used only on an empty database. */
  settings?: Record<string, string | undefined>;
  log: (message: string) => void;
}

/** A refusal or a failed step; the message is the one `npm run migrate` printed. */
export class MigrationError extends Error {}

export function databaseUrl(db: PgConnection): string {
  const password = db.password ? `:${encodeURIComponent(db.password)}` : '';
  return `postgres://${encodeURIComponent(db.user)}${password}@${db.host}:${db.port}/${encodeURIComponent(db.database)}`;
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-migrate-'));
  const report = path.join(reportDir, 'result.json');
  try {
    // Plain Node on a bundle of scripts/migrate.ts, not tsx: the process loads Directus (scripts/lib/bundle.ts).
    const entry = await bundleModule(path.join(repoRoot, 'scripts', 'migrate.ts'), 'migrate');
    const args = [entry, '--dir', options.dir, '--report', report];
    if (options.dryRun) args.push('--dry-run');
    const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].filter((key) => process.env[key] !== undefined);
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(inherited.map((key) => [key, process.env[key]])),
      ...Object.fromEntries(Object.entries(options.settings ?? {}).filter(([, value]) => value !== undefined)),
      [MIGRATE_DATABASE_URL]: databaseUrl(options.connection),
      ...(options.platformDir ? { GROUNDWORK_PLATFORM_SNAPSHOTS_DIR: options.platformDir } : {}),
    };
    const errors: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = (stream: NodeJS.ReadableStream, each: (line: string) => void) => {
        let rest = '';
        stream.on('data', (chunk: Buffer) => {
          const parts = (rest + chunk.toString()).split('\n');
          rest = parts.pop() ?? '';
          parts.forEach(each);
        });
        stream.on('end', () => rest && each(rest));
      };
      lines(child.stdout!, (line) => options.log(line.replace(/^\[migrate\] /, '')));
      lines(child.stderr!, (line) => errors.push(line.replace(/^\[migrate\] /, '')));
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new MigrationError(errors.join('\n') || `npm run migrate exited with code ${code}`);
    return JSON.parse(readFileSync(report, 'utf8')) as MigrateResult;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

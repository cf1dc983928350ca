// `npm run migrate [-- --dry-run] [--dir snapshots] [--database-url postgres://...]`: bootstraps Directus on an
// empty database, then applies every pending snapshot version, offline (Directus need not run). See
// docs/snapshots.md. `--report <file>` writes the result as JSON (migrator.ts reads it when it runs this script).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { openTarget } from './snapshots/connection.js';
import { BOOTSTRAP_KEYS } from './snapshots/directus-api.js';
import { runMigrations } from './snapshots/migrate-run.js';
import { MIGRATE_DATABASE_URL } from './snapshots/migrator.js';
import { snapshotsDir } from './snapshots/store.js';

const SCOPE = 'migrate';
const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean' },
    dir: { type: 'string' },
    'database-url': { type: 'string' },
    report: { type: 'string' },
  },
});

// A URL from migrator.ts comes in the environment, where a password does not show in the process list.
const target = await openTarget(values['database-url'] ?? process.env[MIGRATE_DATABASE_URL], SCOPE);
let code = 0;
try {
  const { connection } = target;
  step(SCOPE, `database ${connection.database} on ${connection.host}:${connection.port}`);
  // The first admin's settings: from migrator.ts as given, else as `npm start` reads them (environment over .env).
  const view = process.env[MIGRATE_DATABASE_URL] ? process.env : { ...readEnvFile(), ...process.env };
  const result = await runMigrations({
    connection,
    dir: snapshotsDir(values.dir),
    dryRun: values['dry-run'] === true,
    settings: Object.fromEntries(BOOTSTRAP_KEYS.map((key) => [key, view[key]])),
    log: (message) => step(SCOPE, message),
  });
  if (result.applied.length) step(SCOPE, `applied ${result.applied.length} version(s) in ${result.durationMs} ms`);
  if (values.report) writeFileSync(values.report, JSON.stringify(result));
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
} finally {
  await target.close();
}
process.exit(code);

// `npm run migrate [-- --dry-run] [--dir snapshots] [--database-url postgres://...]`: applies every pending
// snapshot version to the database, in order, offline (Directus need not run). See docs/snapshots.md.
import { parseArgs } from 'node:util';
import { step } from './lib/log.js';
import { openTarget } from './snapshots/connection.js';
import { migrate } from './snapshots/migrator.js';
import { snapshotsDir } from './snapshots/store.js';

const SCOPE = 'migrate';
const { values } = parseArgs({
  options: { 'dry-run': { type: 'boolean' }, dir: { type: 'string' }, 'database-url': { type: 'string' } },
});

const target = await openTarget(values['database-url'], SCOPE);
let code = 0;
try {
  const { connection } = target;
  step(SCOPE, `database ${connection.database} on ${connection.host}:${connection.port}`);
  const result = await migrate({
    connection,
    dir: snapshotsDir(values.dir),
    dryRun: values['dry-run'] === true,
    log: (message) => step(SCOPE, message),
  });
  if (result.applied.length) step(SCOPE, `applied ${result.applied.length} version(s) in ${result.durationMs} ms`);
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
} finally {
  await target.close();
}
process.exit(code);

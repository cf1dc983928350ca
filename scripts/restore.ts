// `npm run restore -- --from <backup dir> --database-url postgres://.../<new database> [--storage-root <dir>]`:
// checks the backup against its manifest (sha256 of the dump and of every file) before touching anything, refuses a
// target database or storage root that is not empty, creates the database if it does not exist, restores it in one
// transaction with pg_restore, copies the files, then verifies the row counts of every table and the snapshot
// ledgers against the manifest and the checksums of the copied files. Any mismatch: a message and exit 1.
// The database is named explicitly (no DB_* fallback): a restore never lands on the configured database by default.
// Which storage root: --storage-root, else STORAGE_LOCAL_ROOT, else .data/uploads (must be empty).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { dataDir, repoRoot } from './lib/paths.js';
import { connectionFromUrl } from './lib/postgres.js';
import { storageRootFrom } from './backup/core/tools.js';
import { runRestore } from './backup/restore.js';

const SCOPE = 'restore';
let code = 0;
try {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'database-url': { type: 'string' },
      'storage-root': { type: 'string' },
    },
  });
  if (!values.from || !values['database-url']) {
    throw new Error(
      'usage: npm run restore -- --from <backup dir> --database-url postgres://.../<new database> [--storage-root <dir>]',
    );
  }
  const storageRoot = values['storage-root']
    ? path.resolve(values['storage-root'])
    : storageRootFrom({ ...process.env, ...readEnvFile() }, repoRoot, dataDir).root;
  const connection = connectionFromUrl(values['database-url']);
  step(SCOPE, `from ${path.resolve(values.from)} into database ${connection.database} and ${storageRoot}`);
  await runRestore({ from: path.resolve(values.from), connection, storageRoot, log: (line) => step(SCOPE, line) });
  step(SCOPE, 'done');
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
}
process.exit(code);

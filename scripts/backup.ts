// `npm run backup [-- --out <dir>] [--database-url postgres://...] [--storage-root <dir>]`: a consistent dump of the
// database (pg_dump -Fc of one exported snapshot, in which the row counts and ledgers are also read), the files of
// the local storage, and manifest.json with the checksums of both (scripts/backup/, docs/operations.md). Which
// database: --database-url, else DB_* (environment and .env), else the embedded PostgreSQL `npm start` uses. Which
// files: --storage-root, else STORAGE_LOCAL_ROOT, else .data/uploads. Default folder: .data/backups/<time>.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { dataDir, repoRoot } from './lib/paths.js';
import { runBackup } from './backup/backup.js';
import { storageRootFrom } from './backup/core/tools.js';
import { openTarget } from './snapshots/connection.js';

const SCOPE = 'backup';
let code = 0;
let target: Awaited<ReturnType<typeof openTarget>> | undefined;
try {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'database-url': { type: 'string' },
      'storage-root': { type: 'string' },
    },
  });
  const view = { ...process.env, ...readEnvFile() };
  const storage = storageRootFrom(view, repoRoot, dataDir);
  const storageRoot = values['storage-root'] ? path.resolve(values['storage-root']) : storage.root;
  if (storage.otherLocations.length && !values['storage-root']) {
    step(
      SCOPE,
      `note: storage location(s) ${storage.otherLocations.join(', ')} are not local: back them up with the object store's versioning`,
    );
  }
  const out = path.resolve(values.out ?? path.join(dataDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-')));
  target = await openTarget(values['database-url'], SCOPE);
  step(SCOPE, `writing ${out}`);
  await runBackup({ connection: target.connection, out, storageRoot, log: (line) => step(SCOPE, line) });
  step(SCOPE, `done: restore with npm run restore -- --from ${out} --database-url postgres://.../<new database>`);
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
} finally {
  await target?.close();
}
process.exit(code);

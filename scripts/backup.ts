// `npm run backup [-- --out <dir>] [--database-url postgres://...] [--storage-root <dir>]`: a consistent dump of the
// database (pg_dump -Fc of one exported snapshot, in which the row counts and ledgers are also read), the files of
// the local storage, and manifest.json with the checksums of both (scripts/backup/, docs/operations.md). Which
// database: --database-url, else DB_* (environment and .env), else the embedded PostgreSQL `npm start` uses. Which
// files: --storage-root, else STORAGE_LOCAL_ROOT, else .data/uploads; and the objects of every S3 location
// (STORAGE_<NAME>_DRIVER=s3, decision 0048). Default folder: .data/backups/<time>.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { dataDir, repoRoot } from './lib/paths.js';
import { runBackup } from './backup/backup.js';
import { storageRootFrom } from './backup/core/tools.js';
import { openTarget } from './snapshots/connection.js';
import { s3Config, storageLocations, storageProblems } from '../extensions/platform/src/files/core/storage.js';

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
  const problems = storageProblems(view);
  if (problems.length) throw new Error(`the storage configuration is not valid: ${problems.join('; ')}`);
  const objectLocations = storageLocations(view)
    .filter((location) => location.driver === 's3')
    .map((location) => ({ location: location.name, config: s3Config(location) }));
  const others = storageLocations(view).filter((location) => !['local', 's3'].includes(location.driver));
  if (others.length) {
    step(
      SCOPE,
      `note: storage location(s) ${others.map((location) => location.name).join(', ')} are neither local nor s3: back them up with the store's own versioning`,
    );
  }
  const out = path.resolve(values.out ?? path.join(dataDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-')));
  target = await openTarget(values['database-url'], SCOPE);
  step(SCOPE, `writing ${out}`);
  await runBackup({
    connection: target.connection,
    out,
    storageRoot,
    objectLocations,
    log: (line) => step(SCOPE, line),
  });
  step(SCOPE, `done: restore with npm run restore -- --from ${out} --database-url postgres://.../<new database>`);
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
} finally {
  await target?.close();
}
process.exit(code);

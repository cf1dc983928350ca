// `npm run restore -- --from <backup dir> --database-url postgres://.../<new database> [--storage-root <dir>]`:
// checks the backup against its manifest (sha256 of the dump and of every file) before touching anything, refuses a
// target database or storage root that is not empty, creates the database if it does not exist, restores it in one
// transaction with pg_restore, copies the files, then verifies the row counts of every table and the snapshot
// ledgers against the manifest and the checksums of the copied files. Any mismatch: a message and exit 1.
// The database is named explicitly (no DB_* fallback): a restore never lands on the configured database by default.
// Which storage root: --storage-root, else STORAGE_LOCAL_ROOT, else .data/uploads (must be empty). The objects of
// an S3 location go to `--bucket <location>=<bucket>` (or `--bucket <bucket>` for a backup with one S3 location),
// else the bucket STORAGE_<NAME>_BUCKET names; either must be new (created) or empty. The S3 server and its
// credentials are the location's STORAGE_<NAME>_* variables (decision 0048).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile } from './lib/env-file.js';
import { step } from './lib/log.js';
import { dataDir, repoRoot } from './lib/paths.js';
import { connectionFromUrl } from './lib/postgres.js';
import { storageRootFrom } from './backup/core/tools.js';
import { restoreBuckets } from './backup/core/objects.js';
import { RestoreError, runRestore } from './backup/restore.js';
import { MANIFEST_FILE, parseManifest } from './backup/core/manifest.js';
import { s3Config, storageLocations, type S3LocationConfig } from '../extensions/platform/src/files/core/storage.js';

const SCOPE = 'restore';
let code = 0;
try {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'database-url': { type: 'string' },
      'storage-root': { type: 'string' },
      bucket: { type: 'string', multiple: true },
    },
  });
  if (!values.from || !values['database-url']) {
    throw new Error(
      'usage: npm run restore -- --from <backup dir> --database-url postgres://.../<new database> [--storage-root <dir>] [--bucket [<location>=]<bucket>]',
    );
  }
  const view = { ...process.env, ...readEnvFile() };
  const storageRoot = values['storage-root']
    ? path.resolve(values['storage-root'])
    : storageRootFrom(view, repoRoot, dataDir).root;
  const objectTargets = objectTargetsFor(path.resolve(values.from), values.bucket ?? [], view);
  const connection = connectionFromUrl(values['database-url']);
  step(SCOPE, `from ${path.resolve(values.from)} into database ${connection.database} and ${storageRoot}`);
  await runRestore({
    from: path.resolve(values.from),
    connection,
    storageRoot,
    objectTargets,
    log: (line) => step(SCOPE, line),
  });
  step(SCOPE, 'done');
} catch (error) {
  console.error(`[${SCOPE}] ${(error as Error).message}`);
  code = 1;
}
process.exit(code);

/** The S3 config each of the backup's S3 locations is restored with: the location's env, with the chosen bucket. */
function objectTargetsFor(
  from: string,
  given: string[],
  view: Record<string, string | undefined>,
): Map<string, S3LocationConfig> {
  // Only the locations are read here; runRestore checks the manifest and every checksum before touching anything.
  const file = path.join(from, MANIFEST_FILE);
  const parsed = existsSync(file) ? parseManifest(readFileSync(file, 'utf8')) : null;
  const names = parsed?.ok ? parsed.value.objects.map((store) => store.location) : [];
  if (!names.length) return new Map();
  const configured = new Map(
    storageLocations(view)
      .filter((location) => location.driver === 's3')
      .map((location) => [location.name, s3Config(location)]),
  );
  const choice = restoreBuckets(given, names, (location) => configured.get(location)?.bucket);
  const problems = choice.ok ? [] : [...choice.problems];
  for (const location of names) {
    if (!configured.has(location)) {
      problems.push(
        `the S3 location "${location}" is not configured here: set STORAGE_LOCATIONS and its STORAGE_${location.toUpperCase()}_* variables`,
      );
    }
  }
  if (!choice.ok || problems.length)
    throw new RestoreError('restore refused: where the objects go is not clear', problems);
  return new Map(
    names.map((location) => [location, { ...configured.get(location)!, bucket: choice.buckets.get(location)! }]),
  );
}

// A restore: check everything before touching anything (the manifest, the checksums of the dump and of every file,
// a pg_restore that reads the dump, an empty target database and storage root), then pg_restore into the new
// database in one transaction, copy the files and the S3 objects (into new or empty buckets), and verify the row
// counts, the ledgers, the copied files and the objects as the bucket serves them back.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dropDatabase, ensureDatabase, withClient, type PgConnection } from '../lib/postgres.js';
import {
  checksumProblems,
  DUMP_FILE,
  fileProblems,
  FILES_DIR,
  formatBytes,
  formatSeconds,
  ledgerProblems,
  MANIFEST_FILE,
  OBJECTS_DIR,
  parseManifest,
  rowCountProblems,
  type Manifest,
} from './core/manifest.js';
import { nonEmptyReason, serverMajor } from './core/tools.js';
import { countRows, listRelations, readLedgers, serverVersion } from './database.js';
import { copyHashed, hashFile, hashTree, isEmptyFolder } from './files.js';
import { findTool, runTool } from './pg-tools.js';
import { directusVersion } from './backup.js';
import {
  bucketExists,
  createBucket,
  hashObject,
  listKeys,
  openObjectStore,
  uploadFile,
  type ObjectStore,
} from './objects.js';
import type { S3LocationConfig } from '../../extensions/platform/src/files/core/storage.js';

export interface RestoreOptions {
  from: string;
  connection: PgConnection;
  storageRoot: string;
  /** Where each S3 location of the backup goes: its driver config with the target bucket (scripts/restore.ts). */
  objectTargets?: Map<string, S3LocationConfig>;
  log: (line: string) => void;
}

/** A refusal or a failed verification: the CLI prints the problems and exits non-zero. */
export class RestoreError extends Error {
  constructor(
    readonly headline: string,
    readonly problems: string[],
  ) {
    super(`${headline}\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export interface RestoreResult {
  manifest: Manifest;
  tables: Record<string, number>;
  files: number;
  durationMs: number;
}

/** Reads and checks manifest.json and the checksums of the dump and every file; throws RestoreError. */
export async function verifyBackup(from: string, log: (line: string) => void): Promise<Manifest> {
  const manifestFile = path.join(from, MANIFEST_FILE);
  if (!existsSync(manifestFile)) throw new RestoreError(`backup refused: no ${MANIFEST_FILE} in ${from}`, []);
  const parsed = parseManifest(readFileSync(manifestFile, 'utf8'));
  if (!parsed.ok) throw new RestoreError('backup refused: its manifest is not valid', parsed.problems);
  const manifest = parsed.value;
  log(
    `backup of ${manifest.database.name} taken ${manifest.createdAt} (Groundwork ${manifest.groundwork}, ` +
      `Directus ${manifest.directus}, PostgreSQL ${manifest.database.serverVersion})`,
  );
  const dumpFile = path.join(from, DUMP_FILE);
  log(
    `checking the sha256 of ${DUMP_FILE} (${formatBytes(manifest.dump.bytes)}) and ${manifest.storage.files.length} file(s)`,
  );
  const dump = existsSync(dumpFile) ? await hashFile(dumpFile) : null;
  const files = await hashTree(path.join(from, FILES_DIR));
  const problems = checksumProblems({ dump: manifest.dump, files: manifest.storage.files }, { dump, files });
  for (const store of manifest.objects) {
    log(`checking the sha256 of ${store.files.length} object(s) of location ${store.location}`);
    const dir = `${OBJECTS_DIR}/${store.location}`;
    problems.push(...fileProblems(store.files, await hashTree(path.join(from, dir)), dir));
  }
  if (problems.length) {
    throw new RestoreError('backup refused: it does not match its manifest (nothing was restored)', problems);
  }
  log('checksums match the manifest');
  return manifest;
}

async function targetRelations(connection: PgConnection): Promise<string[] | null> {
  try {
    return await withClient(connection, (client) => listRelations(client));
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return null; // no such database: restore creates it
    throw error;
  }
}

export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const { from, connection, storageRoot, log } = options;
  const started = Date.now();
  const manifest = await verifyBackup(from, log);
  if (manifest.directus !== directusVersion()) {
    log(`note: the backup was taken with Directus ${manifest.directus}; this checkout has ${directusVersion()}`);
  }
  const pgRestore = findTool(
    'pg_restore',
    manifest.pgDump.major,
    `reading a dump written by pg_dump ${manifest.pgDump.version}`,
  );
  log(`pg_restore ${pgRestore.version} (${pgRestore.path})`);

  if (!isEmptyFolder(storageRoot)) {
    throw new RestoreError('restore refused: the storage root is not empty', [
      `${storageRoot} holds files: a restore writes into a new or empty folder (name one with --storage-root)`,
    ]);
  }
  const buckets = await prepareObjectTargets(manifest, options.objectTargets ?? new Map(), log);
  const relations = await targetRelations(connection);
  const reason = relations ? nonEmptyReason(relations, connection.database) : null;
  if (reason) throw new RestoreError('restore refused: the target database is not empty', [reason]);
  const created = relations === null ? await ensureDatabase(connection, connection.database) : false;
  log(
    `${created ? 'created' : 'restoring into the empty'} database ${connection.database} on ${connection.host}:${connection.port}`,
  );
  const target = await withClient(connection, (client) => serverVersion(client));
  if (serverMajor(target.num) < manifest.database.serverMajor) {
    log(
      `warning: the target server is PostgreSQL ${target.version}, older than the backup's ${manifest.database.serverVersion}; ` +
        'the restore may fail on newer syntax',
    );
  }

  // One transaction: a dump that fails half way leaves the database as empty as it was.
  try {
    await runTool(
      pgRestore,
      [
        '--exit-on-error',
        '--single-transaction',
        '--no-owner',
        '--no-privileges',
        `--dbname=${connection.database}`,
        path.join(from, DUMP_FILE),
      ],
      { connection, log },
    );
  } catch (error) {
    if (created) {
      await dropDatabase(connection, connection.database);
      log(`dropped database ${connection.database}, which this restore had created`);
    }
    throw error;
  }
  log(`database restored (${formatSeconds(Date.now() - started)})`);

  const problems: string[] = [];
  let bytes = 0;
  let lastReport = Date.now();
  for (const [index, file] of manifest.storage.files.entries()) {
    const parts = file.path.split('/');
    const copied = await copyHashed(path.join(from, FILES_DIR, ...parts), path.join(storageRoot, ...parts));
    if (copied.sha256 !== file.sha256)
      problems.push(`${file.path}: copied with sha256 ${copied.sha256}, manifest says ${file.sha256}`);
    bytes += copied.bytes;
    if (Date.now() - lastReport > 2000 || index === manifest.storage.files.length - 1) {
      lastReport = Date.now();
      log(`files: ${index + 1} / ${manifest.storage.files.length} copied to ${storageRoot}, ${formatBytes(bytes)}`);
    }
  }
  for (const [location, store] of buckets)
    problems.push(...(await restoreObjects(from, manifest, location, store, log)));
  // Read back what was written, not what was read: the copy on the target disk is what the restore vouches for.
  const written = await hashTree(storageRoot);
  problems.push(
    ...checksumProblems(
      { dump: manifest.dump, files: manifest.storage.files },
      { dump: manifest.dump, files: written },
    ).map((problem) => `restored ${problem}`),
  );

  log('verifying: row counts of every table and the snapshot ledgers against the manifest');
  const { tables, ledgers } = await withClient(connection, async (client) => {
    await client.query('begin isolation level repeatable read read only');
    const counts = await countRows(client, (index, total) => {
      if (index === total || index % 25 === 0) log(`row counts: ${index} / ${total} tables`);
    });
    const read = await readLedgers(client);
    await client.query('commit');
    return { tables: counts, ledgers: read };
  });
  problems.push(...rowCountProblems(manifest.tables, tables), ...ledgerProblems(manifest.ledgers, ledgers));
  if (problems.length) {
    throw new RestoreError(`restore verification FAILED: ${connection.database} does not match the backup`, problems);
  }
  const rows = Object.values(tables).reduce((sum, count) => sum + count, 0);
  const objects = manifest.objects.reduce((sum, store) => sum + store.files.length, 0);
  const durationMs = Date.now() - started;
  log(
    `verified: ${Object.keys(tables).length} tables with ${rows.toLocaleString('en-US')} rows as in the manifest, ` +
      `${written.length} file(s) and ${objects} object(s) with their checksums, ledgers equal (${formatSeconds(durationMs)} in all)`,
  );
  return { manifest, tables, files: written.length + objects, durationMs };
}

/**
 * Before anything is restored: every S3 location of the backup has a target, and each target bucket is absent
 * (created when the objects are written) or empty below its root. A restore never mixes objects into a used bucket.
 */
async function prepareObjectTargets(
  manifest: Manifest,
  targets: Map<string, S3LocationConfig>,
  log: (line: string) => void,
): Promise<Map<string, ObjectStore & { exists: boolean }>> {
  const stores = new Map<string, ObjectStore & { exists: boolean }>();
  const problems: string[] = [];
  for (const { location } of manifest.objects) {
    const config = targets.get(location);
    if (!config) {
      problems.push(`no target bucket for the S3 location ${location}`);
      continue;
    }
    const store = await openObjectStore(config);
    const exists = await bucketExists(store);
    const keys = exists ? await listKeys(store) : [];
    if (keys.length) {
      problems.push(
        `bucket ${config.bucket} holds ${keys.length} object(s)${config.root ? ` below ${config.root}` : ''}: a restore ` +
          `writes into a new or empty bucket (name one with --bucket ${location}=<bucket>)`,
      );
    }
    log(`location ${location}: objects go to ${exists ? 'the empty' : 'a new'} bucket ${config.bucket}`);
    stores.set(location, { ...store, exists });
  }
  if (problems.length) throw new RestoreError('restore refused: the target buckets are not ready', problems);
  return stores;
}

/** Writes a location's objects, then reads every object back from the bucket and checks it against the manifest. */
async function restoreObjects(
  from: string,
  manifest: Manifest,
  location: string,
  store: ObjectStore & { exists: boolean },
  log: (line: string) => void,
): Promise<string[]> {
  const entry = manifest.objects.find((candidate) => candidate.location === location)!;
  if (!store.exists) await createBucket(store);
  for (const file of entry.files) {
    await uploadFile(store, file.path, path.join(from, OBJECTS_DIR, location, ...file.path.split('/')));
  }
  log(`objects: ${entry.files.length} written to bucket ${store.bucket}; reading them back`);
  const served = [];
  for (const key of await listKeys(store)) served.push({ path: key, ...(await hashObject(store, key)) });
  return fileProblems(entry.files, served, `restored ${OBJECTS_DIR}/${location}`);
}

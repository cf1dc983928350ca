// A backup: one snapshot of the database (exported from a REPEATABLE READ transaction, given to pg_dump, and used
// for the row counts and the ledgers), then the files of the local storage and the objects of S3 locations, then
// manifest.json with the checksums.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PgConnection } from '../lib/postgres.js';
import { repoRoot } from '../lib/paths.js';
import {
  buildManifest,
  describeLedger,
  DUMP_FILE,
  FILES_DIR,
  formatBytes,
  formatSeconds,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  missingFiles,
  OBJECTS_DIR,
  type FileEntry,
  type ObjectStoreEntry,
} from './core/manifest.js';
import { unsafeKeys } from './core/objects.js';
import type { S3LocationConfig } from '../../extensions/platform/src/files/core/storage.js';
import { serverMajor } from './core/tools.js';
import { countRows, filesNamed, readLedgers, serverVersion } from './database.js';
import { downloadHashed, listKeys, openObjectStore } from './objects.js';
import { copyHashed, hashFile, listFiles } from './files.js';
import { findTool, runTool } from './pg-tools.js';

export interface BackupOptions {
  connection: PgConnection;
  /** The folder to write (created; must be empty or absent). */
  out: string;
  storageRoot: string;
  /** S3 locations whose objects are backed up too (STORAGE_<NAME>_DRIVER=s3). */
  objectLocations?: { location: string; config: S3LocationConfig }[];
  log: (line: string) => void;
}

export interface BackupResult {
  out: string;
  manifestFile: string;
  tables: Record<string, number>;
  files: number;
  durationMs: number;
}

/** Groundwork's version with the commit when this is a git checkout: "0.1.0+2dd18e3". */
export function groundworkVersion(): string {
  const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return `${version}+${commit}`;
  } catch {
    return version;
  }
}

export function directusVersion(): string {
  const file = path.join(repoRoot, 'node_modules', 'directus', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const { out } = options;
  const started = Date.now();
  if (existsSync(out) && readdirSync(out).length)
    throw new Error(`${out} is not empty: a backup goes into a new folder`);
  const made = !existsSync(out);
  try {
    return await backupInto(options, started);
  } catch (error) {
    // A failed backup leaves no half-written folder that could be mistaken for a backup (it has no manifest anyway).
    if (made) rmSync(out, { recursive: true, force: true });
    throw error;
  }
}

async function backupInto(options: BackupOptions, started: number): Promise<BackupResult> {
  const { connection, out, storageRoot, log } = options;
  const dumpFile = path.join(out, DUMP_FILE);

  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 5000, application_name: 'groundwork-backup' });
  await client.connect();
  let snapshotData;
  let pgDumpVersion;
  let server;
  try {
    server = await serverVersion(client);
    const major = serverMajor(server.num);
    const pgDump = findTool(
      'pg_dump',
      major,
      `backing up PostgreSQL ${server.version} (${connection.host}:${connection.port})`,
    );
    pgDumpVersion = pgDump;
    log(`database ${connection.database} on ${connection.host}:${connection.port}, PostgreSQL ${server.version}`);
    log(`pg_dump ${pgDump.version} (${pgDump.path})`);
    mkdirSync(out, { recursive: true });

    // The snapshot stays valid while this transaction is open: pg_dump imports it, and the counts below read it.
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
    log(`snapshot ${snapshot} exported: the dump, the row counts and the ledgers all read it`);
    const dumping = runTool(pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${dumpFile}`], {
      connection,
      log,
      watchFile: dumpFile,
    });
    // Counted beside pg_dump, in the same snapshot; an error here still waits for pg_dump before it is thrown.
    const reading = (async () => {
      const tables = await countRows(client, (index, total) => {
        if (index === total || index % 25 === 0) log(`row counts: ${index} / ${total} tables`);
      });
      const ledgers = await readLedgers(client);
      const named = await filesNamed(client);
      return { tables, ledgers, named };
    })();
    const [dumped, read] = await Promise.allSettled([dumping, reading]);
    if (dumped.status === 'rejected') throw dumped.reason;
    if (read.status === 'rejected') throw read.reason;
    await client.query('commit');
    snapshotData = { snapshot, ...read.value };
  } finally {
    await client.end();
  }
  const dumpSum = await hashFile(dumpFile);
  const totalRows = Object.values(snapshotData.tables).reduce((sum, count) => sum + count, 0);
  log(
    `dump written: ${formatBytes(dumpSum.bytes)}, ${Object.keys(snapshotData.tables).length} tables, ` +
      `${totalRows.toLocaleString('en-US')} rows in the snapshot (${formatSeconds(Date.now() - started)})`,
  );
  log(
    `ledgers: platform ${describeLedger(snapshotData.ledgers.platform)}; domain ${describeLedger(snapshotData.ledgers.domain)}`,
  );

  // The files, after the snapshot: a file uploaded since is copied too (a file no row names yet is harmless); a file
  // deleted since is missing, and the manifest lists it.
  const names = listFiles(storageRoot);
  log(`files: ${names.length} in ${storageRoot}`);
  const files: FileEntry[] = [];
  let bytes = 0;
  let lastReport = Date.now();
  for (const [index, name] of names.entries()) {
    let sum;
    try {
      sum = await copyHashed(path.join(storageRoot, name), path.join(out, FILES_DIR, ...name.split('/')));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      log(`files: ${name} was deleted while the backup ran: left out`);
      rmSync(path.join(out, FILES_DIR, ...name.split('/')), { force: true });
      continue;
    }
    files.push({ path: name, ...sum });
    bytes += sum.bytes;
    if (Date.now() - lastReport > 2000 || index === names.length - 1) {
      lastReport = Date.now();
      log(`files: ${index + 1} / ${names.length} copied, ${formatBytes(bytes)}`);
    }
  }
  const missing = missingFiles(
    snapshotData.named['local'] ?? [],
    files.map((file) => file.path),
  );
  if (missing.length) {
    log(
      `warning: ${missing.length} file(s) the snapshot's directus_files names are not in ${storageRoot}: ${missing.slice(0, 5).join(', ')}`,
    );
  }

  const objects: ObjectStoreEntry[] = [];
  for (const { location, config } of options.objectLocations ?? []) {
    objects.push(await backupObjects(out, location, config, snapshotData.named[location] ?? [], log));
  }

  const durationMs = Date.now() - started;
  const manifestFile = path.join(out, MANIFEST_FILE);
  writeFileSync(
    manifestFile,
    buildManifest({
      format: MANIFEST_FORMAT,
      createdAt: new Date(started).toISOString(),
      groundwork: groundworkVersion(),
      directus: directusVersion(),
      database: {
        name: connection.database,
        serverVersion: server.version,
        serverMajor: serverMajor(server.num),
        snapshot: snapshotData.snapshot,
      },
      pgDump: { version: pgDumpVersion.version, major: pgDumpVersion.major },
      ledgers: snapshotData.ledgers,
      tables: snapshotData.tables,
      dump: { file: DUMP_FILE, ...dumpSum },
      storage: { sourceRoot: storageRoot, files, missing },
      objects,
      durationMs,
    }),
  );
  log(`manifest written: ${manifestFile} (${formatSeconds(durationMs)} in all)`);
  return {
    out,
    manifestFile,
    tables: snapshotData.tables,
    files: files.length + objects.reduce((sum, store) => sum + store.files.length, 0),
    durationMs,
  };
}

/**
 * An S3 location's objects, copied after the snapshot as local files are: an object deleted meanwhile is left out,
 * and the keys the snapshot names but the bucket lacks are recorded as missing.
 */
async function backupObjects(
  out: string,
  location: string,
  config: S3LocationConfig,
  named: readonly string[],
  log: (line: string) => void,
): Promise<ObjectStoreEntry> {
  const store = await openObjectStore(config);
  const keys = await listKeys(store);
  const unsafe = unsafeKeys(keys);
  if (unsafe.length) {
    throw new Error(
      `location ${location}: object keys that cannot be backed up as files: ${unsafe.slice(0, 5).join(', ')}`,
    );
  }
  log(
    `objects: ${keys.length} in location ${location} (bucket ${config.bucket}${config.root ? `, root ${config.root}` : ''})`,
  );
  const files: FileEntry[] = [];
  let bytes = 0;
  for (const key of keys) {
    const target = path.join(out, OBJECTS_DIR, location, ...key.split('/'));
    try {
      files.push({ path: key, ...(await downloadHashed(store, key, target)) });
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
      log(`objects: ${location}/${key} was deleted while the backup ran: left out`);
      rmSync(target, { force: true });
      continue;
    }
    bytes += files.at(-1)!.bytes;
  }
  log(`objects: ${files.length} copied from ${location}, ${formatBytes(bytes)}`);
  const missing = missingFiles(
    named,
    files.map((file) => file.path),
  );
  if (missing.length) {
    log(
      `warning: ${missing.length} object(s) the snapshot names are not in ${location}: ${missing.slice(0, 5).join(', ')}`,
    );
  }
  return { location, driver: 's3', bucket: config.bucket, root: config.root ?? '', files, missing };
}

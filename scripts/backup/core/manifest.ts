// The backup's manifest (manifest.json beside the dump and the files) and the checks a restore makes against it:
// pure, so the rules are unit-tested without a database or a file system.
import path from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const DUMP_FILE = 'database.dump';
export const FILES_DIR = 'files';
/** Objects of S3 locations: objects/<location>/<key> (decision 0048). */
export const OBJECTS_DIR = 'objects';
export const MANIFEST_FORMAT = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex');

/**
 * A path inside the backup's files/ folder (and inside the storage root it is restored to): relative, with forward
 * slashes, no `..` and no empty or `.` segments. A manifest edited to write outside the target is refused.
 */
export function isSafeRelativePath(value: string): boolean {
  if (!value || value.startsWith('/') || value.includes('\\') || value.includes('\0')) return false;
  return value.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const relativePath = z.string().refine(isSafeRelativePath, 'a relative path without .. inside the storage root');

const fileEntry = z.object({ path: relativePath, bytes: z.number().int().nonnegative(), sha256 });

/** An S3 location's objects (keys below its root), copied into objects/<location>/. */
const objectStore = z.object({
  location: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a storage location name'),
  driver: z.literal('s3'),
  /** Where the objects came from (for the record; a restore names its own bucket). */
  bucket: z.string(),
  root: z.string(),
  files: z.array(fileEntry),
  /** Keys the snapshot's directus_files rows name in this location that were not in the bucket. */
  missing: z.array(z.string()),
});

const ledgerRow = z.object({ version: z.number().int().positive(), name: z.string(), checksum: z.string() });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.iso.datetime(),
  groundwork: z.string(),
  directus: z.string(),
  database: z.object({
    name: z.string(),
    serverVersion: z.string(),
    serverMajor: z.number().int().positive(),
    /** The snapshot pg_dump was given (pg_export_snapshot): the row counts below were taken in it. */
    snapshot: z.string(),
  }),
  pgDump: z.object({ version: z.string(), major: z.number().int().positive() }),
  /** The snapshot ledgers as the dump holds them: the platform's line and the domain's. */
  ledgers: z.object({ platform: z.array(ledgerRow), domain: z.array(ledgerRow) }),
  /** Rows per table ("schema.table") in the dump's snapshot. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  dump: z.object({ file: z.literal(DUMP_FILE), bytes: z.number().int().nonnegative(), sha256 }),
  storage: z.object({
    /** Where the files came from (for the record; a restore names its own root). */
    sourceRoot: z.string(),
    files: z.array(fileEntry),
    /** Files the snapshot's directus_files rows name (local storage) that were not in the storage root. */
    missing: z.array(z.string()),
  }),
  /** S3 locations' objects; absent in backups of local storage only (and in those made before S3 support). */
  objects: z.array(objectStore).default([]),
  /** How long the backup took, for the record. */
  durationMs: z.number().int().nonnegative(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type FileEntry = Manifest['storage']['files'][number];
export type ObjectStoreEntry = Manifest['objects'][number];
export type LedgerEntry = z.infer<typeof ledgerRow>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Reads manifest.json's text: JSON, then the schema; every problem named with its path. */
export function parseManifest(text: string): Parsed<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${MANIFEST_FILE} is not JSON: ${(error as Error).message}`] };
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map(
        (issue) => `${MANIFEST_FILE}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    };
  }
  const listedTwice = (files: readonly FileEntry[], what: string) => {
    const seen = new Set<string>();
    return files
      .filter((file) => (seen.has(file.path) ? true : (seen.add(file.path), false)))
      .map((file) => `${MANIFEST_FILE}: ${what} ${file.path} is listed twice`);
  };
  const locations = result.data.objects.map((store) => store.location);
  const problems = [
    ...listedTwice(result.data.storage.files, 'file'),
    ...result.data.objects.flatMap((store) => listedTwice(store.files, `object of ${store.location}`)),
    ...locations
      .filter((location, index) => locations.indexOf(location) !== index)
      .map((location) => `${MANIFEST_FILE}: location ${location} is listed twice`),
  ];
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: result.data };
}

/** The manifest's JSON text, with the tables and files in a stable order. */
export function buildManifest(input: Manifest): string {
  const tables = Object.fromEntries(Object.entries(input.tables).sort(([a], [b]) => a.localeCompare(b)));
  const byPath = (files: readonly FileEntry[]) => [...files].sort((a, b) => a.path.localeCompare(b.path));
  const files = byPath(input.storage.files);
  const objects = input.objects.map((store) => ({ ...store, files: byPath(store.files) }));
  const manifest = manifestSchema.parse({ ...input, tables, storage: { ...input.storage, files }, objects });
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Where the checksums of what is on disk differ from the manifest's: missing, changed or unlisted files. */
export function checksumProblems(
  expected: { dump: { bytes: number; sha256: string }; files: readonly FileEntry[] },
  actual: { dump: { bytes: number; sha256: string } | null; files: readonly FileEntry[] },
): string[] {
  const problems: string[] = [];
  if (!actual.dump) problems.push(`${DUMP_FILE} is missing`);
  else if (actual.dump.sha256 !== expected.dump.sha256 || actual.dump.bytes !== expected.dump.bytes) {
    problems.push(
      `${DUMP_FILE}: sha256 ${actual.dump.sha256} (${actual.dump.bytes} bytes) differs from the manifest's ` +
        `${expected.dump.sha256} (${expected.dump.bytes} bytes)`,
    );
  }
  return [...problems, ...fileProblems(expected.files, actual.files)];
}

/** Missing, changed or unlisted files of one folder (`dir` prefixes the paths in the messages). */
export function fileProblems(
  expected: readonly FileEntry[],
  actual: readonly FileEntry[],
  dir: string = FILES_DIR,
): string[] {
  const problems: string[] = [];
  const found = new Map(actual.map((file) => [file.path, file]));
  for (const file of expected) {
    const on = found.get(file.path);
    if (!on) problems.push(`${dir}/${file.path} is missing`);
    else if (on.sha256 !== file.sha256 || on.bytes !== file.bytes) {
      problems.push(`${dir}/${file.path}: sha256 ${on.sha256} differs from the manifest's ${file.sha256}`);
    }
  }
  const listed = new Set(expected.map((file) => file.path));
  for (const file of actual) {
    if (!listed.has(file.path)) problems.push(`${dir}/${file.path} is not in the manifest`);
  }
  return problems;
}

/** Tables whose row count differs, and tables only one side has. */
export function rowCountProblems(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [table, count] of Object.entries(expected)) {
    if (!(table in actual)) problems.push(`table ${table} (${count} rows in the backup) is missing after the restore`);
    else if (actual[table] !== count) {
      problems.push(`table ${table}: ${actual[table]} rows after the restore, ${count} in the backup`);
    }
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) problems.push(`table ${table} is not in the backup's manifest`);
  }
  return problems.sort();
}

/** Where the restored ledgers differ from the manifest's (the same versions, names and checksums, in order). */
export function ledgerProblems(expected: Manifest['ledgers'], actual: Manifest['ledgers']): string[] {
  const problems: string[] = [];
  for (const line of ['platform', 'domain'] as const) {
    const want = expected[line].map(describeLedgerRow).join(', ');
    const got = actual[line].map(describeLedgerRow).join(', ');
    if (want !== got) problems.push(`${line} ledger after the restore is [${got}], the backup's is [${want}]`);
  }
  return problems;
}

const describeLedgerRow = (row: LedgerEntry) => `${row.version} ${row.name} ${row.checksum.slice(0, 12)}`;

/** "1 platform version (latest 3 ...)": a line's ledger in a few words. */
export function describeLedger(rows: readonly LedgerEntry[]): string {
  const last = rows.at(-1);
  return last ? `${rows.length} version(s), latest ${last.version} ${last.name}` : 'no versions';
}

/** The files the snapshot names (directus_files.filename_disk, local storage) that the storage root does not hold. */
export function missingFiles(named: readonly string[], present: readonly string[]): string[] {
  const have = new Set(present);
  return [...new Set(named)].filter((name) => !have.has(name)).sort();
}

/** Forward-slash path of `file` inside `root`, as the manifest lists it. */
export function relativeEntry(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

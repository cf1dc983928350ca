// A version on disk: its folder name, its files, their checksums, and which versions a database still needs.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { checkSettingsKeys, EMPTY_SETTINGS, isEmptySettings } from './settings.js';
import type { LineName } from './lines.js';
import { EMPTY_INSIGHTS, type VersionState } from './state.js';

export const MANIFEST = 'manifest.json';
export const DATA_MIGRATION = 'migrate.ts';
export const CONFIG = 'config.json';
export const SETTINGS = 'settings.json';
export const INSIGHTS = 'insights.json';

export const configSchema = z.object({
  /**
   * The domain folder this line belongs to, relative to the repository (`extensions/service-desk`): authoring reads
   * its modules from `<domain>/spec/versions`, and `npm start` writes its demo data with `<domain>/seed/first-start.ts`.
   * Swapping the domain changes this one value.
   */
  domain: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/, 'a relative folder path')
    .refine((value) => !value.split('/').includes('..'), 'a folder inside the repository')
    .optional(),
  /** Collections whose rows are configuration that staff edit (not demo seed data): captured with each version. */
  dataCollections: z.array(z.string().regex(/^[a-z0-9_]+$/)).default([]),
});
export type SnapshotConfig = z.infer<typeof configSchema>;

export const manifestSchema = z.object({
  version: z.number().int().positive(),
  name: z.string(),
  /** sha256 over the other files of the folder (see versionChecksum). */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type Manifest = z.infer<typeof manifestSchema>;

const FOLDER = /^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

export function parseVersionFolder(folder: string): { version: number; name: string } | null {
  const match = FOLDER.exec(folder);
  return match ? { version: Number(match[1]), name: match[2] as string } : null;
}

/** `add ticket priority` → `0002-add-ticket-priority`; refuses names that would not survive as a folder. */
export function versionFolder(version: number, name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!slug) throw new Error(`"${name}" is not a usable version name: use letters, digits and dashes`);
  if (version > 9999) throw new Error('version numbers stop at 9999');
  return `${String(version).padStart(4, '0')}-${slug}`;
}

/** The state as the files a version folder holds (without manifest.json and migrate.ts). */
export function renderState(state: VersionState): Record<string, string> {
  const files: Record<string, string> = {
    'schema.json': canonicalJson(state.schema),
    'access.json': canonicalJson(state.access),
    'flows.json': canonicalJson(state.flows),
  };
  for (const [collection, rows] of Object.entries(state.data)) files[`data/${collection}.json`] = canonicalJson(rows);
  // Written only when something differs from Directus's defaults, so versions before settings were captured and
  // versions after them read the same way.
  if (!isEmptySettings(state.settings)) files[SETTINGS] = canonicalJson(state.settings);
  // Likewise only once a version ships dashboards: the versions before them read as none.
  if (state.insights.dashboards.length > 0 || state.insights.panels.length > 0)
    files[INSIGHTS] = canonicalJson(state.insights);
  return files;
}

const rows = z.array(z.record(z.string(), z.any()));
const EMPTY_FILES: Record<string, unknown> = {
  'access.json': { roles: [], policies: [], permissions: [], access: [] },
  'flows.json': { flows: [], operations: [] },
};
const stateFiles = {
  schema: z.object({
    version: z.number(),
    collections: rows,
    fields: rows,
    systemFields: rows,
    relations: rows,
  }),
  access: z.object({ roles: rows, policies: rows, permissions: rows, access: rows }),
  flows: z.object({ flows: rows, operations: rows }),
  settings: z.object({ settings: z.record(z.string(), z.any()), presets: rows }),
  insights: z.object({ dashboards: rows, panels: rows }),
};

/** A version's files as its state. A platform version holds only schema.json (and SQL): the rest reads as empty. */
export function parseState(files: Record<string, string>, where: string, line: LineName = 'domain'): VersionState {
  const read = <T>(file: string, schema: z.ZodType<T>): T => {
    const text = files[file];
    if (text === undefined && line === 'platform' && file !== 'schema.json') return schema.parse(EMPTY_FILES[file]);
    if (text === undefined) throw new Error(`${where}/${file} is missing`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      // JSON.parse names only a position; with a dozen files per version the reader needs the file.
      throw new Error(`${where}/${file} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new Error(`${where}/${file} is not a valid snapshot file: ${parsed.error.message}`);
    return parsed.data;
  };
  const data: VersionState['data'] = {};
  for (const file of Object.keys(files).sort()) {
    const match = /^data\/([a-z0-9_]+)\.json$/.exec(file);
    if (match) data[match[1] as string] = read(file, rows);
  }
  const settings = files[SETTINGS] === undefined ? EMPTY_SETTINGS : read(SETTINGS, stateFiles.settings);
  checkSettingsKeys(settings, `${where}/${SETTINGS}`);
  const insights = files[INSIGHTS] === undefined ? EMPTY_INSIGHTS : read(INSIGHTS, stateFiles.insights);
  return {
    schema: read('schema.json', stateFiles.schema),
    access: read('access.json', stateFiles.access),
    flows: read('flows.json', stateFiles.flows),
    insights,
    data,
    settings,
  } as VersionState;
}

export const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

export function hashFiles(files: Record<string, string | Buffer>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(files)
      .filter((file) => file !== MANIFEST)
      .sort()
      .map((file) => [file, sha256(files[file] as string | Buffer)]),
  );
}

/** One checksum for a folder: file names count too, so adding or removing a file changes it. */
export function versionChecksum(hashes: Record<string, string>): string {
  return sha256(
    Object.keys(hashes)
      .sort()
      .map((file) => `${file}\0${hashes[file]}\n`)
      .join(''),
  );
}

/** Which files differ between two hash lists, e.g. `access.json (edited)`, `migrate.ts (added)`. */
export function changedFiles(recorded: Record<string, string>, current: Record<string, string>): string[] {
  const files = [...new Set([...Object.keys(recorded), ...Object.keys(current)])].sort();
  return files.flatMap((file) => {
    if (!(file in current)) return [`${file} (removed)`];
    if (!(file in recorded)) return [`${file} (added)`];
    return recorded[file] === current[file] ? [] : [`${file} (edited)`];
  });
}

export interface VersionOnDisk {
  version: number;
  name: string;
  folder: string;
  checksum: string;
  hashes: Record<string, string>;
  manifest: Manifest | null;
}

export interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
  files: Record<string, string> | null;
}

export type Plan =
  | { ok: true; pending: VersionOnDisk[]; applied: number; ahead: LedgerRow[] }
  | { ok: false; problems: string[] };

/**
 * Which versions to apply, or why not: an applied version whose files changed, a version missing from disk, a
 * pending version older than an applied one, or a folder whose manifest does not match its files.
 *
 * Applied versions newer than every version on disk are `ahead`, not a problem: that is a rollback, the previous
 * release running on the database a newer one migrated (expand keeps that schema valid for it). Nothing of them
 * is undone. A missing version below the newest on disk is still refused.
 */
export function planMigration(versions: VersionOnDisk[], ledger: LedgerRow[], snapshotsLabel: string): Plan {
  const problems: string[] = [];
  const onDisk = new Map(versions.map((version) => [version.version, version]));
  const applied = new Map(ledger.map((row) => [row.version, row]));
  const newestOnDisk = Math.max(0, ...versions.map((version) => version.version));
  const ahead: LedgerRow[] = [];
  for (const row of ledger) {
    const version = onDisk.get(row.version);
    if (!version && versions.length > 0 && row.version > newestOnDisk) {
      ahead.push(row);
      continue;
    }
    if (!version) {
      problems.push(`version ${row.version} (${row.name}) was applied to this database but is not in ${snapshotsLabel}`);
      continue;
    }
    if (version.checksum !== row.checksum) {
      const files = row.files ? changedFiles(row.files, version.hashes) : ['(files not recorded)'];
      const named = files.map((file) => `${snapshotsLabel}/${version.folder}/${file}`).join(', ');
      problems.push(
        `${version.folder} was edited after it was applied: ${named}. Released versions are immutable; ` +
          'restore the file and put the change in a new version.',
      );
    }
  }
  const newestApplied = Math.max(0, ...ledger.map((row) => row.version));
  const pending = versions.filter((version) => !applied.has(version.version));
  for (const version of pending) {
    if (version.version < newestApplied) {
      problems.push(`${version.folder} is older than the newest applied version ${newestApplied}: renumber it`);
    }
    if (!version.manifest) problems.push(`${snapshotsLabel}/${version.folder}/${MANIFEST} is missing`);
    else if (version.manifest.checksum !== version.checksum) {
      const named = changedFiles(version.manifest.files, version.hashes)
        .map((file) => `${snapshotsLabel}/${version.folder}/${file}`)
        .join(', ');
      problems.push(
        `${named} changed since ${version.folder} was captured; if this version is not released yet, ` +
          `reseal it with \`npm run snapshot -- --reseal ${version.folder}\``,
      );
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, pending, applied: ledger.length, ahead };
}

// `npm run snapshot` and `snapshot:check`: the live database against the latest version of a line (the domain's
// by default; the platform's with line 'platform', decision 0029), each line seeing only its part of the schema.
import type { PgConnection } from '../lib/postgres.js';
import { openDatabase, readLiveState } from './database.js';
import { snapshotSchema } from './directus-cli.js';
import { diffStates, type Change } from './core/diff.js';
import { EMPTY_SETTINGS } from './core/settings.js';
import type { VersionState } from './core/state.js';
import {
  hashFiles,
  MANIFEST,
  renderState,
  versionChecksum,
  versionFolder,
  type VersionOnDisk,
} from './core/version.js';
import { canonicalJson } from './core/canonical.js';
import { alignDataRows, columnDefaults, ownedPart, platformState, type LineName } from './core/lines.js';
import {
  labelOf,
  listVersions,
  platformSnapshotsDir,
  readConfig,
  readPlatformCollections,
  readState,
  readVersionFiles,
  snapshotsDir,
  writeVersion,
} from './store.js';

export const EMPTY_STATE: VersionState = {
  schema: { version: 1, collections: [], fields: [], systemFields: [], relations: [] },
  access: { roles: [], policies: [], permissions: [], access: [] },
  flows: { flows: [], operations: [] },
  insights: { dashboards: [], panels: [] },
  data: {},
  settings: EMPTY_SETTINGS,
};

interface Comparison {
  latest: VersionOnDisk | undefined;
  live: VersionState;
  changes: Change[];
  /** The live state's files differ from the latest version's (the changes list may say why). */
  differs: boolean;
}

/** Where each line's versions are; a capture of one line needs the other's to tell the parts apart. */
export interface LineDirs {
  platform: string;
  domain: string;
}

export const defaultLineDirs = (): LineDirs => ({ platform: platformSnapshotsDir(), domain: snapshotsDir() });

/**
 * The collections of the platform's part of a live schema. For the domain: those of the platform's versions. For
 * the platform (authoring its next version): also every live collection the domain's latest version does not
 * define, so a collection the platform adds is captured as the platform's.
 */
function platformPart(line: LineName, live: VersionState['schema'], dirs: LineDirs): Set<string> {
  const owned = readPlatformCollections(dirs.platform);
  if (line === 'domain') return owned;
  const domainLatest = listVersions(dirs.domain).at(-1);
  const domain = new Set(
    domainLatest ? readState(dirs.domain, domainLatest.folder, 'domain').schema.collections.map((row) => String(row.collection)) : [],
  );
  for (const row of live.collections) if (!domain.has(String(row.collection))) owned.add(String(row.collection));
  return owned;
}

/** A line's files for a state: the platform's versions hold only their schema. */
function renderLineState(state: VersionState, line: LineName): Record<string, string> {
  return line === 'platform' ? { 'schema.json': canonicalJson(state.schema) } : renderState(state);
}

/** `directusSchema`: Directus's schema snapshot of the database (snapshotSchema), read once for every line compared. */
async function compareLive(
  connection: PgConnection,
  line: LineName,
  dirs: LineDirs,
  directusSchema: Record<string, unknown>,
): Promise<Comparison> {
  const dir = dirs[line];
  const db = openDatabase(connection);
  try {
    const full = await readLiveState(db, directusSchema, line === 'domain' ? readConfig(dir) : { dataCollections: [] });
    const schema = ownedPart(full.schema, line, platformPart(line, full.schema, dirs));
    const latest = listVersions(dir).at(-1);
    const latestFiles = latest ? readVersionFiles(dir, latest.folder) : {};
    const latestState = latest ? readState(dir, latest.folder, line) : EMPTY_STATE;
    const data = Object.fromEntries(
      Object.entries(full.data).map(([collection, rows]) => {
        const listed = new Set((latestState.data[collection] ?? []).flatMap((row) => Object.keys(row)));
        return [collection, alignDataRows(rows, listed, columnDefaults(full.schema, collection))];
      }),
    );
    const live = line === 'platform' ? platformState(schema) : { ...full, schema, data };
    const liveFiles = renderLineState(live, line);
    const stateFiles = (files: Record<string, string>) =>
      Object.keys(files)
        .filter((file) => file.endsWith('.json') && file !== MANIFEST)
        .sort()
        .map((file) => [file, files[file]]);
    const differs = !latest || JSON.stringify(stateFiles(liveFiles)) !== JSON.stringify(stateFiles(latestFiles));
    return { latest, live, changes: diffStates(latestState, live), differs };
  } finally {
    await db.destroy();
  }
}

export interface CaptureResult {
  folder: string | null;
  latest: string | null;
  changes: Change[];
}

export async function captureVersion(
  connection: PgConnection,
  name: string,
  line: LineName = 'domain',
  dirs: LineDirs = defaultLineDirs(),
  /** Write a version even when the state is unchanged: one that only carries a data migration (an index). */
  options: { evenIfUnchanged?: boolean } = {},
): Promise<CaptureResult> {
  const dir = dirs[line];
  const { latest, live, changes, differs } = await compareLive(connection, line, dirs, await snapshotSchema(connection));
  if (!differs && !options.evenIfUnchanged) return { folder: null, latest: latest?.folder ?? null, changes: [] };
  const version = (latest?.version ?? 0) + 1;
  const folder = versionFolder(version, name);
  const files = renderLineState(live, line);
  const hashes = hashFiles(files);
  writeVersion(dir, folder, files, {
    version,
    name: folder.slice(5),
    checksum: versionChecksum(hashes),
    files: hashes,
  });
  return { folder, latest: latest?.folder ?? null, changes };
}

/**
 * Each line's drift, in order. Directus's schema is read once for all of them: each read is a Directus CLI process
 * (seconds, loading Directus), and every line sees its part of the same schema.
 */
export async function checkDrift(
  connection: PgConnection,
  lines: readonly LineName[] = ['domain'],
  dirs: LineDirs = defaultLineDirs(),
) {
  const directusSchema = await snapshotSchema(connection);
  const results = [];
  for (const line of lines) {
    const { latest, changes, differs } = await compareLive(connection, line, dirs, directusSchema);
    results.push({ line, latest: latest?.folder ?? null, changes, drifted: differs });
  }
  return results;
}

/** Rewrites the manifest of a version that is not released yet, after its migrate.ts was written by hand. */
export function resealVersion(dir: string, folder: string): string {
  const version = listVersions(dir).find((candidate) => candidate.folder === folder);
  if (!version) throw new Error(`no version folder ${folder} in ${labelOf(dir)}`);
  const files = readVersionFiles(dir, folder);
  delete files[MANIFEST];
  writeVersion(dir, folder, {}, {
    version: version.version,
    name: version.name,
    checksum: version.checksum,
    files: hashFiles(files),
  });
  return version.checksum;
}

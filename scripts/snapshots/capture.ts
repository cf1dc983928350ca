// `npm run snapshot` and `snapshot:check`: the live database against the latest version.
import type { PgConnection } from '../lib/postgres.js';
import { openDatabase, readLiveState } from './database.js';
import { diffStates, type Change } from './core/diff.js';
import { EMPTY_SETTINGS } from './core/settings.js';
import type { VersionState } from './core/state.js';
import {
  hashFiles,
  MANIFEST,
  parseState,
  renderState,
  versionChecksum,
  versionFolder,
  type VersionOnDisk,
} from './core/version.js';
import { labelOf, listVersions, readConfig, readVersionFiles, writeVersion } from './store.js';

export const EMPTY_STATE: VersionState = {
  schema: { version: 1, collections: [], fields: [], systemFields: [], relations: [] },
  access: { roles: [], policies: [], permissions: [], access: [] },
  flows: { flows: [], operations: [] },
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

async function compareLive(connection: PgConnection, dir: string): Promise<Comparison> {
  const db = openDatabase(connection);
  try {
    const live = await readLiveState(db, connection, readConfig(dir));
    const latest = listVersions(dir).at(-1);
    const latestFiles = latest ? readVersionFiles(dir, latest.folder) : {};
    const latestState = latest ? parseState(latestFiles, `${labelOf(dir)}/${latest.folder}`) : EMPTY_STATE;
    const liveFiles = renderState(live);
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

export async function captureVersion(connection: PgConnection, dir: string, name: string): Promise<CaptureResult> {
  const { latest, live, changes, differs } = await compareLive(connection, dir);
  if (!differs) return { folder: null, latest: latest?.folder ?? null, changes: [] };
  const version = (latest?.version ?? 0) + 1;
  const folder = versionFolder(version, name);
  const files = renderState(live);
  const hashes = hashFiles(files);
  writeVersion(dir, folder, files, {
    version,
    name: folder.slice(5),
    checksum: versionChecksum(hashes),
    files: hashes,
  });
  return { folder, latest: latest?.folder ?? null, changes };
}

export async function checkDrift(connection: PgConnection, dir: string) {
  const { latest, changes, differs } = await compareLive(connection, dir);
  return { latest: latest?.folder ?? null, changes, drifted: differs };
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

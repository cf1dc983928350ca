// Which pg_dump / pg_restore to run, and where the uploaded files are: pure rules over what the adapter found.
// pg_dump refuses a server of a newer major version ("aborting because of server version mismatch"), and
// pg_restore may not read an archive written by a newer pg_dump, so the tool's major must be at least the server's
// (pg_dump) or the archive writer's (pg_restore).
import path from 'node:path';

export type PgTool = 'pg_dump' | 'pg_restore';

export interface FoundTool {
  path: string;
  version: string;
  major: number;
}

/** "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> 15.20, major 15 (9.6.x -> major 9). */
export function parseToolVersion(output: string): { version: string; major: number } | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return null;
  const version = [match[1], match[2], match[3]].filter((part) => part !== undefined).join('.');
  return { version, major: Number(match[1]) };
}

/** server_version_num (e.g. 180001, 150020) -> the major version (18, 15). */
export function serverMajor(versionNum: string | number): number {
  const value = Number(versionNum);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`not a server_version_num: ${versionNum}`);
  return Math.floor(value / 10_000);
}

/** The env variable that names the tool's binary outright: PG_DUMP, PG_RESTORE. */
export const toolVariable = (tool: PgTool) => tool.toUpperCase();

/**
 * Where to look, in order: the binary the tool's own variable names (PG_DUMP / PG_RESTORE), PG_BIN_DIR, every PATH
 * folder, then Debian's versioned folders (/usr/lib/postgresql/<major>/bin, newest first), without duplicates.
 */
export function toolCandidates(
  tool: PgTool,
  env: Record<string, string | undefined>,
  debianMajors: readonly number[] = [],
): { explicit: string | null; candidates: string[] } {
  const explicit = env[toolVariable(tool)] || (env.PG_BIN_DIR ? path.join(env.PG_BIN_DIR, tool) : null);
  if (explicit) return { explicit, candidates: [explicit] };
  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const debian = [...debianMajors].sort((a, b) => b - a).map((major) => `/usr/lib/postgresql/${major}/bin`);
  const candidates = [...new Set([...pathDirs, ...debian].map((dir) => path.join(dir, tool)))];
  return { explicit: null, candidates };
}

export type ToolChoice = { ok: true; tool: FoundTool } | { ok: false; message: string };

/**
 * The first tool found whose major is at least `required`; when the operator named one (PG_DUMP, PG_RESTORE or
 * PG_BIN_DIR) only that one, never a silent fallback. Otherwise a message that says what to install.
 */
export function chooseTool(
  tool: PgTool,
  found: readonly FoundTool[],
  required: number,
  explicit: string | null,
  what: string,
): ToolChoice {
  const fit = found.find((candidate) => candidate.major >= required);
  if (fit) return { ok: true, tool: fit };
  const seen = found.length
    ? `found ${found.map((candidate) => `${tool} ${candidate.version} (${candidate.path})`).join(', ')}`
    : explicit
      ? `${explicit} does not exist or is not ${tool}`
      : `no ${tool} on PATH or in /usr/lib/postgresql/*/bin`;
  return {
    ok: false,
    message:
      `${what} needs ${tool} ${required} or newer; ${seen}. Install the PostgreSQL ${required} client tools ` +
      `(Debian/Ubuntu: postgresql-client-${required} from the PGDG apt repository, apt.postgresql.org; macOS: ` +
      `brew install postgresql@${required}), then put them on PATH, or set PG_BIN_DIR to their bin folder or ` +
      `${toolVariable(tool)} to the binary.`,
  };
}

/**
 * The local storage root as Directus uses it: STORAGE_LOCAL_ROOT (relative to the repository, as `npm start` runs
 * from it), else .data/uploads. Files in other storage locations (S3 and the like) are not on this machine: the
 * backup says so and leaves them to the object store's own versioning.
 */
export function storageRootFrom(
  view: Record<string, string | undefined>,
  repoRoot: string,
  dataDir: string,
): { root: string; otherLocations: string[] } {
  const locations = (view.STORAGE_LOCATIONS ?? 'local')
    .split(',')
    .map((location) => location.trim())
    .filter(Boolean);
  const configured = view.STORAGE_LOCAL_ROOT;
  return {
    root: configured ? path.resolve(repoRoot, configured) : path.join(dataDir, 'uploads'),
    otherLocations: locations.filter((location) => location !== 'local'),
  };
}

/** Why a restore target is not empty, or null when it is: the relations found outside the system schemas. */
export function nonEmptyReason(relations: readonly string[], database: string): string | null {
  if (!relations.length) return null;
  const shown = relations.slice(0, 5).join(', ');
  const more = relations.length > 5 ? ` and ${relations.length - 5} more` : '';
  return (
    `database "${database}" is not empty (${shown}${more}): a restore goes into a new or empty database only. ` +
    `Name another one (restore creates it), or drop this one yourself if you mean to replace it.`
  );
}

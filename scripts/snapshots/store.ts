// Version folders on disk: list them, read their files, write a new one.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/paths.js';
import {
  CONFIG,
  configSchema,
  hashFiles,
  MANIFEST,
  manifestSchema,
  parseState,
  parseVersionFolder,
  versionChecksum,
  type Manifest,
  type SnapshotConfig,
  type VersionOnDisk,
} from './core/version.js';
import { platformCollections, type LineName } from './core/lines.js';
import type { VersionState } from './core/state.js';

/** `--dir`, else GROUNDWORK_SNAPSHOTS_DIR, else snapshots/ in the repository (tests point it at a copy). */
export function snapshotsDir(flag?: string): string {
  return path.resolve(flag ?? process.env.GROUNDWORK_SNAPSHOTS_DIR ?? path.join(repoRoot, 'snapshots'));
}

/** The platform's own line (decision 0029): GROUNDWORK_PLATFORM_SNAPSHOTS_DIR, else extensions/platform/snapshots/. */
export function platformSnapshotsDir(): string {
  return path.resolve(
    process.env.GROUNDWORK_PLATFORM_SNAPSHOTS_DIR ?? path.join(repoRoot, 'extensions', 'platform', 'snapshots'),
  );
}

/** A version's state as its line reads it (see parseState). */
export function readState(dir: string, folder: string, line: LineName): VersionState {
  return parseState(readVersionFiles(dir, folder), `${labelOf(dir)}/${folder}`, line);
}

/** Every collection a version of the platform's line defines: the part of a database the domain's line leaves alone. */
export function readPlatformCollections(dir: string): Set<string> {
  return platformCollections(listVersions(dir).map((version) => readState(dir, version.folder, 'platform').schema));
}

export function labelOf(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') ? relative : dir;
}

export function readConfig(dir: string): SnapshotConfig {
  const file = path.join(dir, CONFIG);
  if (!existsSync(file)) return configSchema.parse({});
  const parsed = configSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.data;
}

/** The domain folder (absolute) that the line in `dir` names in its config.json, if it names one. */
export function domainFolder(dir: string): string | undefined {
  const { domain } = readConfig(dir);
  return domain === undefined ? undefined : path.join(repoRoot, domain);
}

/** Where the domain line in `dir` is authored from: `<domain>/spec/versions`. */
export function domainModulesDir(dir: string): string {
  const folder = domainFolder(dir);
  if (!folder) throw new Error(`${path.join(dir, CONFIG)} names no "domain" folder: pass --modules, or add it`);
  return path.join(folder, 'spec', 'versions');
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(path.join(root, prefix))
    .sort()
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry}` : entry;
      return statSync(path.join(root, relative)).isDirectory() ? listFiles(root, relative) : [relative];
    });
}

export function readVersionFiles(dir: string, folder: string): Record<string, string> {
  const root = path.join(dir, folder);
  return Object.fromEntries(listFiles(root).map((file) => [file, readFileSync(path.join(root, file), 'utf8')]));
}

export function listVersions(dir: string): VersionOnDisk[] {
  if (!existsSync(dir)) return [];
  const versions = readdirSync(dir)
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .flatMap((folder) => {
      const parsed = parseVersionFolder(folder);
      if (!parsed) return [];
      const files = readVersionFiles(dir, folder);
      const hashes = hashFiles(files);
      const manifestText = files[MANIFEST];
      let manifest: Manifest | null = null;
      if (manifestText !== undefined) {
        const result = manifestSchema.safeParse(JSON.parse(manifestText));
        if (!result.success) throw new Error(`${path.join(dir, folder, MANIFEST)}: ${result.error.message}`);
        manifest = result.data;
      }
      return [{ ...parsed, folder, hashes, checksum: versionChecksum(hashes), manifest }];
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < versions.length; i += 1) {
    if (versions[i]?.version === versions[i - 1]?.version) {
      throw new Error(`two folders have version ${versions[i]?.version}: ${versions[i - 1]?.folder}, ${versions[i]?.folder}`);
    }
  }
  return versions;
}

export function writeVersion(dir: string, folder: string, files: Record<string, string>, manifest: Manifest): void {
  const root = path.join(dir, folder);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  writeFileSync(path.join(root, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

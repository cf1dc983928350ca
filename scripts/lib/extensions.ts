// Builds our Directus extensions when their sources are newer than their build output.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { step } from './log.js';
import { extensionBuildCli, extensionsDir } from './paths.js';
import { runToCompletion } from './processes.js';

function newestMtime(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** The extension folders under `root`: the shipped ones by default, or the test-only ones (testExtensionsDir). */
export function listExtensions(root = extensionsDir): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => path.join(root, name))
    .filter((dir) => {
      const manifest = path.join(dir, 'package.json');
      return existsSync(manifest) && 'directus:extension' in JSON.parse(readFileSync(manifest, 'utf8'));
    });
}

export function isBuildStale(dir: string): boolean {
  const output = path.join(dir, 'dist', 'api.js');
  if (!existsSync(output)) return true;
  const sources = [path.join(dir, 'src'), path.join(dir, 'package.json')].filter(existsSync);
  return Math.max(...sources.map(newestMtime)) > statSync(output).mtimeMs;
}

export async function buildStaleExtensions(scope: string, dirs = listExtensions()): Promise<void> {
  for (const dir of dirs) {
    const name = path.basename(dir);
    if (!isBuildStale(dir)) {
      step(scope, `extension ${name}: build is up to date`);
      continue;
    }
    step(scope, `extension ${name}: building`);
    await runToCompletion(process.execPath, [extensionBuildCli, 'build'], {
      cwd: dir,
      label: `building extension ${name}`,
    });
  }
}

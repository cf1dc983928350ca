// Our TypeScript as one plain ES module, for processes that load Directus: a loader hook (tsx) sits in front of
// every module Directus loads and made loading it 1.8 s (40 %) slower on this machine, so such a process runs a
// bundle of our code with plain Node instead. esbuild resolves `./x.js` to `x.ts` as tsc does; packages stay
// external. Bundles live in node_modules/.groundwork/, two levels below the repository like scripts/lib/paths.ts,
// whose repoRoot (from import.meta.url, the only one in our scripts) still resolves to the repository.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './paths.js';

export const bundleDir = path.join(repoRoot, 'node_modules', '.groundwork');

/**
 * Bundles `entry` into bundleDir/`name`.mjs and returns its path. Written to a temporary file and renamed, so two
 * processes bundling at once (the test stack migrates two templates side by side) never run a half-written file.
 */
export async function bundleModule(entry: string, name: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const file = path.join(bundleDir, `${name}.mjs`);
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(bundleDir, { recursive: true });
  writeFileSync(temporary, result.outputFiles[0]!.contents);
  renameSync(temporary, file);
  return file;
}

// Where things are, resolved once from this file so scripts work from any working directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dataDir = path.join(repoRoot, '.data');
export const extensionsDir = path.join(repoRoot, 'extensions');
// Extensions only tests and benchmarks load (e.g. the jobs probe); never shipped (scripts/lib/instance.ts).
export const testExtensionsDir = path.join(repoRoot, 'tests', 'extensions');
// Directus's CLI entry without the `directus` bin's npm update check: we pin 11.x on purpose (docs/decisions).
export const directusCli = path.join(repoRoot, 'node_modules', '@directus', 'api', 'dist', 'cli', 'run.js');
export const extensionBuildCli = path.join(repoRoot, 'node_modules', '@directus', 'extensions-sdk', 'cli.js');

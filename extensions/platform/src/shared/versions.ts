// What is running: Groundwork's own version and the Directus and Node it runs on, read once at load.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface RunningVersions {
  groundwork: string;
  directus: string;
  node: string;
}

function readVersion(load: () => unknown): string {
  try {
    const manifest = load() as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function readRunningVersions(): RunningVersions {
  const require = createRequire(import.meta.url);
  return {
    // dist/api.js sits one folder below the extension's package.json, whose version is Groundwork's.
    groundwork: readVersion(() => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))),
    directus: readVersion(() => require('directus/package.json')),
    node: process.version,
  };
}

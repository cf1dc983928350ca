// Authors a snapshot version from a module in scripts/domain/versions/: starts a throwaway Directus on a fresh
// database migrated to the versions before it, makes the module's change through the REST API, captures the result
// with the same code as `npm run snapshot`, and adds the module's data migration. Database server:
// DOMAIN_DATABASE_URL, else the embedded PostgreSQL.
//   npm run domain:author -- <name>              writes the next version, NNNN-<name>
//   npm run domain:author -- <name> --replace    rewrites the latest version if it is <name>
//                                                (only while it is unreleased; then `git diff` shows changes)
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildStaleExtensions } from '../lib/extensions.js';
import { createTestDatabase, TEST_ADMIN } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, toolServer } from '../lib/postgres.js';
import { captureVersion, resealVersion } from '../snapshots/capture.js';
import { describeChanges, summarizeChanges } from '../snapshots/core/diff.js';
import { DATA_MIGRATION } from '../snapshots/core/version.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { labelOf, listVersions, snapshotsDir } from '../snapshots/store.js';
import type { Send, VersionAuthor } from './versions/types.js';

const SCOPE = 'domain';
const versionsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'versions');
const { values, positionals } = parseArgs({ options: { replace: { type: 'boolean' } }, allowPositionals: true });

function available(): string[] {
  return readdirSync(versionsDir)
    .filter((file) => file.endsWith('.ts') && file !== 'types.ts')
    .map((file) => file.replace(/\.ts$/, ''));
}

async function loadVersion(name: string | undefined): Promise<VersionAuthor> {
  const file = path.join(versionsDir, `${name}.ts`);
  if (!name || !existsSync(file)) {
    throw new Error(`name a version to author: one of ${available().join(', ')}`);
  }
  return ((await import(pathToFileURL(file).href)) as { version: VersionAuthor }).version;
}

async function adminClient(baseUrl: string): Promise<Send> {
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(TEST_ADMIN),
  });
  const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;
  return async (method, route, body) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as { data: unknown }).data : null;
  };
}

async function main(): Promise<void> {
  const version = await loadVersion(positionals[0]);
  const dir = snapshotsDir();
  const latest = listVersions(dir).at(-1);
  if (latest?.name === version.name) {
    if (!values.replace) throw new Error(`${latest.folder} exists; --replace rewrites it (only while unreleased)`);
    rmSync(path.join(dir, latest.folder), { recursive: true, force: true });
    step(SCOPE, `removed ${labelOf(dir)}/${latest.folder} to write it again`);
  }
  // migrate gets a copy, so the versions it applies are exactly those before ours.
  const before = mkdtempSync(path.join(os.tmpdir(), 'groundwork-domain-'));
  cpSync(dir, before, { recursive: true });

  await buildStaleExtensions(SCOPE);
  const { server, stop } = await toolServer({
    url: process.env.DOMAIN_DATABASE_URL,
    dataDirName: 'domain-postgres',
    port: 5479,
    scope: SCOPE,
  });
  const db = await createTestDatabase(server, 'domain');
  try {
    const instance = await startMigratedInstance({
      db,
      name: 'domain',
      dir: before,
      log: (message) => step(SCOPE, `migrate: ${message}`),
    });
    try {
      await version.author(await adminClient(instance.baseUrl), (message) => step(SCOPE, message));
    } finally {
      await instance.stop();
    }
    const result = await captureVersion(db, dir, version.name);
    if (!result.folder) throw new Error(`nothing changed since ${result.latest}`);
    if (version.dataMigration) {
      copyFileSync(version.dataMigration, path.join(dir, result.folder, DATA_MIGRATION));
      resealVersion(dir, result.folder);
    }
    const extra = version.dataMigration ? ` with ${DATA_MIGRATION}` : '';
    step(SCOPE, `wrote ${labelOf(dir)}/${result.folder} (${summarizeChanges(result.changes)})${extra}`);
    for (const line of describeChanges(result.changes)) console.log(`  ${line}`);
  } finally {
    await dropDatabase(server, db.database);
    await stop();
    rmSync(before, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[${SCOPE}] ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);

// Authors a snapshot version from modules in <domain>/spec/versions/ (the domain's line, snapshots/, whose config.json
// names the domain folder) or, with
// `--line platform` (`npm run platform:author`), in extensions/platform/spec/versions/ (the platform's line,
// extensions/platform/snapshots/; decision 0029): starts a throwaway Directus on a fresh database migrated to the
// versions before it, makes each module's change through the REST API (in the order given), captures the line's
// part with the same code as `npm run snapshot`, and adds the modules' data migrations.
// Database server: DOMAIN_DATABASE_URL, else the embedded PostgreSQL.
//   npm run domain:author -- <module>                        writes the next version, NNNN-<module>
//   npm run domain:author -- <module> <module> --name <n>   one version NNNN-<n> from several modules
//   ... --replace     rewrites the latest version if it has that name (only while it is unreleased)
//   ... --dir <folder> --modules <folder>   another domain's line and modules (e.g. the test fixture's,
//                                           tests/fixtures/domain/); the line folder needs its config.json
// Several modules make one version because each version whose schema changes costs one `directus schema apply`
// on every fresh migrate (docs/benchmarks.md): unreleased changes are combined before release.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { buildStaleExtensions } from '../lib/extensions.js';
import { adminToken, createTestDatabase } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, toolServer } from '../lib/postgres.js';
import { captureVersion, defaultLineDirs, resealVersion } from './capture.js';
import type { LineName } from './core/lines.js';
import { repoRoot } from '../lib/paths.js';
import { describeChanges, summarizeChanges } from './core/diff.js';
import { startMigratedInstance } from './instance.js';
import { domainModulesDir, labelOf, listVersions, snapshotsDir } from './store.js';
import { dataMigrationFiles } from './data-migrations.js';
import type { Send, VersionAuthor } from '../../extensions/platform/spec/types.js';

const SCOPE = 'domain';
const { values, positionals } = parseArgs({
  options: {
    replace: { type: 'boolean' },
    name: { type: 'string' },
    line: { type: 'string' },
    dir: { type: 'string' },
    modules: { type: 'string' },
  },
  allowPositionals: true,
});
if (values.line !== undefined && values.line !== 'platform' && values.line !== 'domain') {
  throw new Error(`--line is platform or domain, not ${values.line}`);
}
const line: LineName = values.line === 'platform' ? 'platform' : 'domain';
// The domain's modules are where its line's config.json says the domain is (`<domain>/spec/versions`).
const versionsDir = values.modules
  ? path.resolve(values.modules)
  : line === 'platform'
    ? path.join(repoRoot, 'extensions', 'platform', 'spec', 'versions')
    : domainModulesDir(values.dir ? path.resolve(values.dir) : snapshotsDir());

function available(): string[] {
  return readdirSync(versionsDir)
    .filter((file) => file.endsWith('.ts') && file !== 'types.ts')
    .map((file) => file.replace(/\.ts$/, ''));
}

async function loadModule(name: string): Promise<VersionAuthor> {
  const file = path.join(versionsDir, `${name}.ts`);
  if (!existsSync(file)) throw new Error(`no module ${name}: one of ${available().join(', ')}`);
  return ((await import(pathToFileURL(file).href)) as { version: VersionAuthor }).version;
}

/** Writes the version's data-migration files (see data-migrations.ts); false when no module has one. */
function writeDataMigrations(folderPath: string, modules: VersionAuthor[]): boolean {
  const files = dataMigrationFiles(modules);
  for (const [name, source] of files) writeFileSync(path.join(folderPath, name), source);
  return files.size > 0;
}

async function adminClient(baseUrl: string): Promise<Send> {
  const token = await adminToken(baseUrl);
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
  if (positionals.length === 0) throw new Error(`name the modules to author: some of ${available().join(', ')}`);
  if (positionals.length > 1 && !values.name) throw new Error('several modules make one version: give it --name');
  const modules = await Promise.all(positionals.map(loadModule));
  const name = values.name ?? modules[0]!.name;
  const dirs = defaultLineDirs();
  if (values.dir) dirs[line] = path.resolve(values.dir);
  const dir = dirs[line];
  const latest = listVersions(dir).at(-1);
  if (latest?.name === name) {
    if (!values.replace) throw new Error(`${latest.folder} exists; --replace rewrites it (only while unreleased)`);
    rmSync(path.join(dir, latest.folder), { recursive: true, force: true });
    step(SCOPE, `removed ${labelOf(dir)}/${latest.folder} to write it again`);
  }
  // migrate gets a copy, so the versions it applies are exactly those before ours.
  const before = mkdtempSync(path.join(os.tmpdir(), 'groundwork-domain-'));
  cpSync(dir, before, { recursive: true });
  const noDomain = mkdtempSync(path.join(os.tmpdir(), 'groundwork-no-domain-'));

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
      // The platform's versions are authored without a domain: they must not depend on one.
      ...(line === 'platform' ? { platformDir: before, dir: noDomain } : { dir: before }),
      log: (message) => step(SCOPE, `migrate: ${message}`),
    });
    try {
      const send = await adminClient(instance.baseUrl);
      for (const module of modules) {
        step(SCOPE, `module ${module.name}`);
        await module.author(send, (message) => step(SCOPE, `${module.name}: ${message}`));
      }
    } finally {
      await instance.stop();
    }
    // A module with a data migration (say, an index, which Directus's snapshot does not show) is a version even
    // when the captured state did not change.
    const evenIfUnchanged = modules.some((module) => Boolean(module.dataMigration));
    const result = await captureVersion(db, name, line, dirs, { evenIfUnchanged });
    if (!result.folder) throw new Error(`nothing changed since ${result.latest}`);
    const withData = writeDataMigrations(path.join(dir, result.folder), modules);
    if (withData) resealVersion(dir, result.folder);
    const extra = withData ? ' with migrate.ts' : '';
    step(SCOPE, `wrote ${labelOf(dir)}/${result.folder} (${summarizeChanges(result.changes)})${extra}`);
    for (const line of describeChanges(result.changes)) console.log(`  ${line}`);
  } finally {
    await dropDatabase(server, db.database);
    await stop();
    rmSync(before, { recursive: true, force: true });
    rmSync(noDomain, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[${SCOPE}] ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);

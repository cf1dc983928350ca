// Authors snapshot version NNNN-service-desk: starts a throwaway Directus on a fresh database migrated to the
// versions before it, creates the service-desk schema and access rules through the REST API
// (scripts/domain/service-desk/), captures the result with the same code as `npm run snapshot`, and adds the
// data migration (ticket numbers). Database server: DOMAIN_DATABASE_URL, else the embedded PostgreSQL.
//   npm run domain:service-desk                 writes the next version
//   npm run domain:service-desk -- --replace    rewrites the latest version if it is the service desk
//                                               (only while it is unreleased; then `git diff` shows changes)
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildStaleExtensions } from '../lib/extensions.js';
import { createTestDatabase, TEST_ADMIN } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, toolServer } from '../lib/postgres.js';
import { captureVersion, resealVersion } from '../snapshots/capture.js';
import { describeChanges, summarizeChanges } from '../snapshots/core/diff.js';
import { DATA_MIGRATION } from '../snapshots/core/version.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { labelOf, listVersions, snapshotsDir } from '../snapshots/store.js';
import { links, permissions, policies, roles } from './service-desk/access.js';
import { collections, relations, userOrganization } from './service-desk/schema.js';

const SCOPE = 'domain';
const NAME = 'service-desk';
const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { replace: { type: 'boolean' } } });

type Send = (method: string, route: string, body?: unknown) => Promise<unknown>;

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

/** The schema first (collections, then the links between them), then the access rules. */
async function author(send: Send): Promise<void> {
  for (const spec of collections) {
    const fields = spec.fields.map((field, index) => ({ ...field, meta: { ...field.meta, sort: index + 1 } }));
    await send('POST', '/collections', { collection: spec.collection, meta: spec.meta, schema: {}, fields });
    step(SCOPE, `collection ${spec.collection} (${fields.length} fields)`);
  }
  await send('POST', '/fields/directus_users', userOrganization);
  for (const relation of relations) await send('POST', '/relations', relation);
  step(SCOPE, `${relations.length} relations`);

  for (const role of roles) await send('POST', '/roles', role);
  for (const policy of policies) await send('POST', '/policies', policy);
  for (const link of links) await send('POST', '/access', link);
  await send('POST', '/permissions', permissions);
  step(SCOPE, `${roles.length} roles, ${policies.length} policies, ${permissions.length} permissions`);
}

async function main(): Promise<void> {
  const dir = snapshotsDir();
  const latest = listVersions(dir).at(-1);
  if (latest?.name === NAME) {
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
      await author(await adminClient(instance.baseUrl));
    } finally {
      await instance.stop();
    }
    const result = await captureVersion(db, dir, NAME);
    if (!result.folder) throw new Error(`nothing changed since ${result.latest}`);
    copyFileSync(path.join(here, 'service-desk', DATA_MIGRATION), path.join(dir, result.folder, DATA_MIGRATION));
    resealVersion(dir, result.folder);
    step(SCOPE, `wrote ${labelOf(dir)}/${result.folder} (${summarizeChanges(result.changes)}) with ${DATA_MIGRATION}`);
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

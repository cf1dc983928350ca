// `npm run sdk [-- --check]`: generates schema/ for frontends.
//   schema/openapi.json        Directus's OpenAPI document plus our endpoints, as an admin sees it
//   schema/api.d.ts            TypeScript types of that document (openapi-typescript)
//   schema/directus-schema.ts  the Schema type for @directus/sdk, from the latest snapshot version (offline)
//   schema/client.ts           a typed client factory
// The OpenAPI document comes from a throwaway Directus migrated to the latest snapshot version (database from
// SDK_DATABASE_URL, else the embedded PostgreSQL). --check writes nothing and fails when a file is stale (CI).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildStaleExtensions } from './lib/extensions.js';
import { adminToken, createTestDatabase } from './lib/instance.js';
import { step } from './lib/log.js';
import { repoRoot } from './lib/paths.js';
import { dropDatabase, toolServer } from './lib/postgres.js';
import { latestSnapshot, sdkFiles } from './sdk/generate.js';
import { startMigratedInstance } from './snapshots/instance.js';

const SCOPE = 'sdk';
const schemaDir = path.join(repoRoot, 'schema');
// The server URL written into the document: where `npm start` serves, not the throwaway port.
const DOCUMENT_SERVER_URL = 'http://localhost:8055';
const { values } = parseArgs({ options: { check: { type: 'boolean' } } });

async function fetchOpenApiDocument(): Promise<Record<string, unknown>> {
  await buildStaleExtensions(SCOPE);
  const { server, stop } = await toolServer({
    url: process.env.SDK_DATABASE_URL,
    dataDirName: 'sdk-postgres',
    port: 5469,
    scope: SCOPE,
  });
  const db = await createTestDatabase(server, 'sdk');
  try {
    step(SCOPE, `throwaway database ${db.database}: bootstrap and migrate to the latest snapshot`);
    const instance = await startMigratedInstance({ db, name: 'sdk', env: { PUBLIC_URL: DOCUMENT_SERVER_URL } });
    try {
      const token = await adminToken(instance.baseUrl);
      const response = await fetch(`${instance.baseUrl}/groundwork/v1/openapi.json`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!response.ok) throw new Error(`/groundwork/v1/openapi.json answered ${response.status}`);
      return (await response.json()) as Record<string, unknown>;
    } finally {
      await instance.stop();
    }
  } finally {
    await dropDatabase(server, db.database);
    await stop();
  }
}

const { snapshot, source } = latestSnapshot();
step(SCOPE, `Schema type from ${source}`);
const document = await fetchOpenApiDocument();
step(SCOPE, 'TypeScript types of the OpenAPI document (openapi-typescript)');
const files = await sdkFiles(document, { snapshot, source });

if (values.check) {
  const stale = Object.entries(files).filter(([name, content]) => {
    const file = path.join(schemaDir, name);
    return !existsSync(file) || readFileSync(file, 'utf8') !== content;
  });
  if (stale.length > 0) {
    console.error(
      `[${SCOPE}] stale: ${stale.map(([name]) => `schema/${name}`).join(', ')}. Run \`npm run sdk\` and commit.`,
    );
    process.exit(1);
  }
  step(SCOPE, 'schema/ is up to date');
} else {
  mkdirSync(schemaDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(schemaDir, name), content);
    step(SCOPE, `wrote schema/${name}`);
  }
}
process.exit(0);

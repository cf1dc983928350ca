// The SQL Directus 11.17.4 runs for REST reads, captured without an HTTP server: this process (plain Node on an
// esbuild bundle, like `npm run migrate`'s child; scripts/lib/bundle.ts) loads Directus's own modules for ONE
// database, and for each request does what its REST route does: the caller's accountability (role tree, global
// access), `sanitizeQuery` + `validateQuery`, then ItemsService `readByQuery` / `readOne`. Every statement Directus's
// knex sends while it runs is recorded (with its bindings as `$n`), so the permission rules Directus adds (row
// filters, field checks) are in the SQL exactly as over HTTP. Our extensions are not loaded: their `items.query`
// filter (query-guard) only refuses queries, it never rewrites one.
// Input: GROUNDWORK_CAPTURE_REQUESTS (JSON: [{ name, user, path }]), DB_* for the database. Output: one JSON line
// on stdout, [{ name, statements: [{ sql, bindings }] }]. Used by query-plans.test.ts and scripts/bench/ticket-list.ts.
import type { Knex } from 'knex';
import { directusModule, setDirectusProcessEnv } from '../../../../scripts/snapshots/directus-api.js';
import type { CaptureRequest, Captured, CapturedStatement } from './queries.js';

const api = directusModule;

async function main(): Promise<void> {
  const requests = JSON.parse(process.env.GROUNDWORK_CAPTURE_REQUESTS ?? '[]') as CaptureRequest[];
  setDirectusProcessEnv({});
  const [db, getSchemaModule, services, sanitize, validate, rolesTree, globalAccess, defaults] = await Promise.all([
    api('database/index.js'),
    api('utils/get-schema.js'),
    api('services/index.js'),
    api('utils/sanitize-query.js'),
    api('utils/validate-query.js'),
    api('permissions/lib/fetch-roles-tree.js'),
    api('permissions/modules/fetch-global-access/fetch-global-access.js'),
    api('permissions/utils/create-default-accountability.js'),
  ]);
  const database = db.getDatabase() as Knex;
  const results: Captured[] = [];
  let recording: CapturedStatement[] | undefined;
  database.on('query', (query: { sql: string; bindings?: unknown[] }) => {
    if (!recording) return;
    const native = (database.client as unknown as { positionBindings(sql: string): string }).positionBindings(
      query.sql,
    );
    recording.push({ sql: native, bindings: query.bindings ?? [] });
  });
  try {
    const schema = await getSchemaModule.getSchema({ database, bypassCache: true });
    for (const request of requests) {
      const user = await database('directus_users').select('id', 'role').where('id', request.user).first();
      if (!user) throw new Error(`${request.name}: no user ${request.user}`);
      const accountability = defaults.createDefaultAccountability({ user: user.id, role: user.role });
      accountability.roles = await rolesTree.fetchRolesTree(user.role, { knex: database });
      Object.assign(accountability, await globalAccess.fetchGlobalAccess(accountability, { knex: database }));
      const url = new URL(request.path, 'http://capture.invalid');
      const match = /^\/items\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
      if (!match) throw new Error(`${request.name}: only /items/<collection>[/<id>] reads, not ${url.pathname}`);
      const [, collection, id] = match;
      const raw = Object.fromEntries(url.searchParams.entries());
      const query = await sanitize.sanitizeQuery(raw, schema, accountability);
      validate.validateQuery(query);
      const items = new services.ItemsService(collection, { schema, accountability, knex: database });
      recording = [];
      if (id) await items.readOne(decodeURIComponent(id), query);
      else await items.readByQuery(query);
      results.push({ name: request.name, statements: recording });
      recording = undefined;
    }
  } finally {
    await database.destroy();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(1);
  },
);

// A release without downtime (issue 14, item 7; docs/operations.md "Releases without downtime"): two instances of
// the fixture domain behind scripts/lib/proxy.ts serve a steady mix of reads and writes while `npm run migrate`
// applies an expand version (a new nullable field) and each instance in turn is taken out of the balancer, stopped
// with SIGTERM (Directus finishes what is in flight) and started again. Not one request may fail, and afterwards
// both new instances serve the new field. The restarted instances run the same build: the schema change is what
// is rolled, which is the part a code change does not make harder.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startInstance, type DirectusInstance } from '../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../scripts/lib/postgres.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../scripts/lib/proxy.js';
import { resealVersion } from '../../scripts/snapshots/capture.js';
import { migrateDatabase } from '../../scripts/snapshots/instance.js';
import { fixtureTestDatabase, harness } from './harness/context.js';
import { FIXTURE_LINE } from './harness/fixture-line.js';
import { getJson, login } from './http.js';

const ENV: Record<string, string> = {
  // Tokens issued before a restart stay valid after it.
  SECRET: randomBytes(32).toString('hex'),
  // Above the slowest request here: what is in flight at SIGTERM is answered (the documented production setting).
  SERVER_SHUTDOWN_TIMEOUT: '10000',
  JOBS_POLLING_INTERVAL_SECONDS: '0.5',
};

let db: PgConnection;
let proxy: RoundRobinProxy;
let admin: string;
let project: string;
let line: string;
const instances: DirectusInstance[] = [];

const start = (name: string) =>
  startInstance({ db, name, env: ENV, shipped: ['platform'], testExtensions: ['groundwork-fixture'] });

function call(base: string, method: string, route: string, body?: unknown) {
  return getJson(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * The fixture line plus an expand version: the first version's full state with `tasks.rolling_note` added,
 * nullable, as `npm run domain:author` would capture it.
 */
function expandedLine(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-rolling-line-'));
  cpSync(FIXTURE_LINE, dir, { recursive: true });
  const next = '0002-rolling';
  cpSync(path.join(dir, '0001-fixture'), path.join(dir, next), { recursive: true });
  rmSync(path.join(dir, next, 'manifest.json'));
  const schemaFile = path.join(dir, next, 'schema.json');
  type Field = { collection: string; field: string; meta: Record<string, unknown>; schema: Record<string, unknown> };
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { fields: Field[] };
  const title = schema.fields.find((field) => field.collection === 'tasks' && field.field === 'title')!;
  const note = structuredClone(title);
  note.field = 'rolling_note';
  note.meta = { ...note.meta, field: 'rolling_note', required: false, sort: 99 };
  note.schema = { ...note.schema, name: 'rolling_note', is_nullable: true };
  schema.fields.push(note);
  writeFileSync(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);
  resealVersion(dir, next);
  return dir;
}

beforeAll(async () => {
  db = await fixtureTestDatabase('rolling');
  instances.push(...(await Promise.all([start('rolling-a1'), start('rolling-b1')])));
  proxy = await startRoundRobinProxy({ upstreams: instances.map((instance) => instance.baseUrl) });
  admin = await login(proxy.url, harness().admin.email, harness().admin.password);
  const created = await call(proxy.url, 'POST', '/items/projects', { name: 'Rolling project' });
  project = (created.body.data as { id: string }).id;
  line = expandedLine();
}, 400_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all(instances.map((instance) => instance.stop().catch(() => undefined)));
  if (db) await dropDatabase(harness().server, db.database);
  if (line) rmSync(line, { recursive: true, force: true });
});

describe('a rolling restart through a schema change', () => {
  it('answers every request under load while the schema expands and both instances restart', async () => {
    const failures: Array<{ step: string; status: number; text: string }> = [];
    let answered = 0;
    let running = true;
    const worker = async (id: number) => {
      for (let round = 0; running; round++) {
        const title = `rolling-${id}-${round}`;
        const steps: Array<[string, () => ReturnType<typeof call>]> = [
          ['create', () => call(proxy.url, 'POST', '/items/tasks', { title, project })],
          ['list', () => call(proxy.url, 'GET', `/items/tasks?limit=5&sort=-title&filter[project][_eq]=${project}`)],
        ];
        for (const [step, send] of steps) {
          const response = await send();
          answered += 1;
          if (response.status !== 200) failures.push({ step, status: response.status, text: response.text });
        }
      }
    };
    const load = Promise.all([1, 2, 3, 4].map(worker));
    const answeredBy = async (count: number) => {
      const target = answered + count;
      while (answered < target && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    };

    try {
      await answeredBy(40);
      // 1. Migrate once, while the old instances serve (expand: they ignore the new field).
      const migrated = await migrateDatabase(db, { dir: line });
      expect(migrated.applied).toEqual(['0002-rolling']);
      await answeredBy(40);
      // 2. One instance at a time: out of the balancer, SIGTERM, a new process, back in once it is ready.
      for (const index of [0, 1]) {
        proxy.drain(index);
        // What a balancer's deregistration delay does: the requests already routed there finish before SIGTERM.
        await proxy.idle(index);
        const before = answered;
        await instances[index]!.stop();
        // The other instance carried the load alone meanwhile.
        expect(answered).toBeGreaterThan(before);
        const fresh = await start(`rolling-${index === 0 ? 'a' : 'b'}2`);
        instances[index] = fresh;
        proxy.replace(index, fresh.baseUrl);
        await answeredBy(40);
      }
    } finally {
      running = false;
      await load;
    }

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(160);
    // Both restarted instances know the new field.
    const task = await call(proxy.url, 'POST', '/items/tasks', { title: 'after the release', project });
    const id = (task.body.data as { id: string }).id;
    for (const instance of instances) {
      const written = await call(instance.baseUrl, 'PATCH', `/items/tasks/${id}?fields=rolling_note`, {
        rolling_note: `seen by ${instance.baseUrl}`,
      });
      expect(written.status).toBe(200);
      expect(written.body.data).toEqual({ rolling_note: `seen by ${instance.baseUrl}` });
    }
  });
});

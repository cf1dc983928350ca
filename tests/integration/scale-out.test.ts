// Two Directus instances of the fixture domain on one database and one Redis, behind the round-robin proxy of
// scripts/lib/proxy.ts (issue 14, item 3): the rate limit counts across instances, a write through one instance
// invalidates the response and schema caches of the other, and killing one instance under write load loses no write
// that was answered 2xx. Jobs and cron exactly once across instances: jobs-instances.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exitWithin, startInstance, type DirectusInstance } from '../../scripts/lib/instance.js';
import { dropDatabase, withClient, type PgConnection } from '../../scripts/lib/postgres.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../scripts/lib/proxy.js';
import { dropRedisNamespace, redisNamespaceEnv } from '../../scripts/lib/redis-namespace.js';
import { fixtureTestDatabase, harness } from './harness/context.js';
import { FIXTURE_LINE } from './harness/fixture.js';
import { getJson, login, until } from './http.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every Redis key of this run under a prefix of its own: test files running side by side (and earlier runs) share
// the Redis server, never its keys.
const NS = `gw-test-scale-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const RATE_POINTS = 30;

/** What both instances share: the database (per instance, below), the signing secret and every Redis store. */
const SCALED_ENV: Record<string, string> = {
  GROUNDWORK_SNAPSHOTS_DIR: FIXTURE_LINE,
  JOBS_POLLING_INTERVAL_SECONDS: '0.5',
  // Tokens issued by one instance are checked by the other.
  SECRET: randomBytes(32).toString('hex'),
  REDIS,
  ...redisNamespaceEnv(NS),
  SYNCHRONIZATION_STORE: 'redis',
  CACHE_ENABLED: 'true',
  CACHE_STORE: 'redis',
  CACHE_AUTO_PURGE: 'true',
  CACHE_TTL: '5m',
  CACHE_STATUS_HEADER: 'X-Cache-Status',
  // No second purge 2 s after a write (decision 0075): these tests are about invalidation across instances, and a
  // late purge between "A stores" and "B reads" would only make their HIT a MISS.
  GROUNDWORK_CACHE_PURGE_SETTLE_MS: '0',
  RATE_LIMITER_ENABLED: 'true',
  RATE_LIMITER_STORE: 'redis',
  RATE_LIMITER_KEY_PREFIX: `${NS}:rl`,
  RATE_LIMITER_POINTS: String(RATE_POINTS),
  // Long enough that no window ends during the test: the count is the only thing that can free a point.
  RATE_LIMITER_DURATION: '3600',
};

/**
 * B's answer once it comes from the shared cache: a write purges on every instance shortly after its commit
 * (decision 0075), so a purge of the setup's own writes can land after A stored the entry; A stores it again and B
 * reads again, for up to 20 s. Answers B's last answer either way.
 */
async function hitOnB<T extends { headers: Headers }>(readA: () => Promise<unknown>, readB: () => Promise<T>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await readB();
    if (answer.headers.get('x-cache-status') === 'HIT' || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await readA();
  }
}

let db: PgConnection;
let a: DirectusInstance;
let b: DirectusInstance;
let proxy: RoundRobinProxy;
let admin: string;
let project: string;

// The limiter counts per client address (the left-most X-Forwarded-For: IP_TRUST_PROXY is on by default). Every
// request outside the rate-limit test comes from an address of its own, so only that test meets the limit.
let addresses = 0;
const freshAddress = () => `10.77.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

function call(base: string, method: string, route: string, body?: unknown, from = freshAddress()) {
  return getJson(`${base}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      'content-type': 'application/json',
      'x-forwarded-for': from,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ok<T = Record<string, unknown>>(base: string, method: string, route: string, body?: unknown) {
  const response = await call(base, method, route, body);
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

const start = (name: string) =>
  startInstance({
    db,
    name,
    env: SCALED_ENV,
    shipped: ['platform'],
    testExtensions: ['groundwork-fixture'],
  });

beforeAll(async () => {
  // A copy of the fixture template: already migrated, so both instances only start (npm run migrate is one process).
  db = await fixtureTestDatabase('scale_out');
  [a, b] = await Promise.all([start('scale-out-a'), start('scale-out-b')]);
  proxy = await startRoundRobinProxy({ upstreams: [a.baseUrl, b.baseUrl] });
  admin = await login(a.baseUrl, harness().admin.email, harness().admin.password);
  project = (await ok<{ id: string }>(proxy.url, 'POST', '/items/projects', { name: 'Scale-out project' })).id;
}, 400_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([a?.stop().catch(() => undefined), b?.stop().catch(() => undefined)]);
  if (db) await dropDatabase(harness().server, db.database);
  await dropRedisNamespace(REDIS, NS);
});

describe('two instances on one Redis', () => {
  it('holds the rate limit across instances: the total is limited, not each instance', async () => {
    const before = [...proxy.served];
    const client = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < RATE_POINTS * 2; i++)
      statuses.push((await call(proxy.url, 'GET', '/server/ping', undefined, client)).status);
    // Round robin sent half to each: with a store per process each would allow RATE_POINTS, 2 x RATE_POINTS in all.
    expect(proxy.served.map((n, i) => n - before[i]!)).toEqual([RATE_POINTS, RATE_POINTS]);
    expect(statuses.filter((status) => status === 200)).toHaveLength(RATE_POINTS);
    expect(statuses.slice(RATE_POINTS).every((status) => status === 429)).toBe(true);
    // Straight to either instance: the same address is over the limit there too.
    expect((await call(a.baseUrl, 'GET', '/server/ping', undefined, client)).status).toBe(429);
    expect((await call(b.baseUrl, 'GET', '/server/ping', undefined, client)).status).toBe(429);
  });

  it('invalidates a cached item on the other instance after a write', async () => {
    const task = await ok<{ id: string }>(a.baseUrl, 'POST', '/items/tasks', { title: 'cached v1', project });
    const route = `/items/tasks/${task.id}?fields=id,title`;
    const first = await call(a.baseUrl, 'GET', route);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    // B answers from the entry A put in Redis (again through A if a late purge of the setup's writes removed it).
    const cached = await hitOnB(
      () => call(a.baseUrl, 'GET', route),
      () => call(b.baseUrl, 'GET', route),
    );
    expect(cached.headers.get('x-cache-status')).toBe('HIT');
    expect(cached.body.data).toEqual({ id: task.id, title: 'cached v1' });

    await ok(a.baseUrl, 'PATCH', `/items/tasks/${task.id}`, { title: 'cached v2' });
    const after = await call(b.baseUrl, 'GET', route);
    expect(after.body.data).toEqual({ id: task.id, title: 'cached v2' });
    expect(after.headers.get('x-cache-status')).toBe('MISS');
  });

  it("a permission removed through one instance: the other does not answer the user's cached read", async () => {
    // The response cache keys on the user id, not the permissions (decision 0065): only the purge protects this.
    const policy = await ok<{ id: string }>(a.baseUrl, 'POST', '/policies', { name: `Cached readers ${NS}` });
    const permission = await ok<{ id: number }>(a.baseUrl, 'POST', '/permissions', {
      policy: policy.id,
      collection: 'tasks',
      action: 'read',
      fields: ['id', 'title'],
    });
    const role = await ok<{ id: string }>(a.baseUrl, 'POST', '/roles', { name: `Cached reader ${NS}` });
    await ok(a.baseUrl, 'POST', '/access', { role: role.id, policy: policy.id });
    const email = `cached-reader-${NS}@scale.example.com`;
    await ok(a.baseUrl, 'POST', '/users', { email, password: 'cached-reader-pw-42', role: role.id });
    const reader = await login(a.baseUrl, email, 'cached-reader-pw-42');
    const read = (base: string) =>
      getJson(`${base}/items/tasks?fields=id,title&limit=1`, {
        headers: { authorization: `Bearer ${reader}`, 'x-forwarded-for': freshAddress() },
      });
    expect((await read(a.baseUrl)).headers.get('x-cache-status')).toBe('MISS');
    const cached = await hitOnB(
      () => read(a.baseUrl),
      () => read(b.baseUrl),
    );
    expect([cached.status, cached.headers.get('x-cache-status')]).toEqual([200, 'HIT']);

    await ok(b.baseUrl, 'DELETE', `/permissions/${permission.id}`);
    expect((await read(a.baseUrl)).status).toBe(403);
    expect((await read(b.baseUrl)).status).toBe(403);
  });

  it('invalidates the schema on the other instance after a field is added', async () => {
    const task = await ok<{ id: string }>(a.baseUrl, 'POST', '/items/tasks', { title: 'schema', project });
    // B has the schema (without the field) in memory: it refuses the unknown field.
    expect((await call(b.baseUrl, 'GET', `/items/tasks/${task.id}?fields=scale_note`)).status).toBe(403);
    await ok(a.baseUrl, 'POST', '/fields/tasks', { field: 'scale_note', type: 'string', schema: {}, meta: {} });
    // The schema change goes over the Redis bus (published, not awaited): B drops its copy once the message arrives,
    // then takes the new field.
    await until(
      'B takes the new field',
      async () =>
        (await call(b.baseUrl, 'PATCH', `/items/tasks/${task.id}`, { scale_note: 'seen by B' })).status === 200,
      10_000,
    );
    expect(await ok(b.baseUrl, 'GET', `/items/tasks/${task.id}?fields=scale_note`)).toEqual({
      scale_note: 'seen by B',
    });
    expect((await call(b.baseUrl, 'GET', '/fields/tasks/scale_note')).status).toBe(200);
  });

  it('loses no accepted write when one instance is killed under load', async () => {
    const accepted: string[] = [];
    const failed: Array<{ index: number; status: number }> = [];
    const total = 120;
    const writers = 4;
    const label = `kill-${Date.now().toString(36)}`;
    let sent = 0;
    let killed = false;
    // How many writes had been sent when B's process was gone (its exit observed here).
    let sentAtExit = Number.POSITIVE_INFINITY;
    b.process.once('exit', () => (sentAtExit = sent));
    const writer = async () => {
      while (sent < total) {
        const index = sent++;
        const title = `${label}-${index}`;
        // Kill B (SIGKILL: no drain, no goodbye) once a third of the writes are answered, with writes in flight.
        if (!killed && accepted.length >= total / 3) {
          killed = true;
          b.process.kill('SIGKILL');
        }
        const response = await call(proxy.url, 'POST', '/items/tasks', { title, project });
        if (response.status >= 200 && response.status < 300) accepted.push(title);
        else failed.push({ index, status: response.status });
      }
    };
    const servedBefore = [...proxy.served];
    await Promise.all(Array.from({ length: writers }, writer));
    await exitWithin(b, 10_000);

    const rows = await withClient(db, (client) =>
      client.query<{ title: string }>('SELECT title FROM tasks WHERE title LIKE $1', [`${label}-%`]),
    );
    const stored = new Set(rows.rows.map((row) => row.title));
    // Every write that got a 2xx is in the database.
    expect(accepted.filter((title) => !stored.has(title))).toEqual([]);
    // Only writes sent before B was gone may fail, with a 502 (the client does not know whether it was committed:
    // one may be in the database unanswered, and the client may repeat it with its own idempotency). After that, a
    // refused connection goes to A: nothing fails.
    expect(failed.every((failure) => failure.status === 502 && failure.index < sentAtExit)).toBe(true);
    expect(accepted.length + failed.length).toBe(total);
    // Both instances took writes before the kill.
    expect(proxy.served.every((n, i) => n > servedBefore[i]!)).toBe(true);
    // Reads through the proxy go on: B is skipped.
    expect((await call(proxy.url, 'GET', '/server/ping')).status).toBe(200);
    expect((await call(proxy.url, 'GET', '/server/ping')).status).toBe(200);
  });
});

// `npm run bench:cache`: Directus's response cache on a customer's ticket list (issue 14 item 4), measured, and
// checked for leaks between customers. A throwaway database is migrated, seeded with the demo set plus N tickets, then
// one Directus runs without the cache and one with it (CACHE_ENABLED=true, CACHE_AUTO_PURGE=true; on Redis when
// BENCH_REDIS_URL is set, under a prefix of this run's own, else in memory), each loaded with the customer's list;
// then both again with CACHE_SCHEMA_FREEZE_ENABLED=true. Why: a profile of a HIT (BENCH_CPU_PROF_DIR) showed that
// about half its CPU is Directus's schema middleware deep-cloning the whole schema for every request (lodash
// cloneDeep in utils/freeze-schema.js), before the cache is even asked; the frozen schema is handed out as is.
// Before the load with the cache on, two customers of different organizations read the same URLs (list and one
// ticket of the other's organization) twice each: every answer must hold only the caller's organization's tickets,
// the second read must be a cache HIT, and no answer may equal the other customer's. A leak exits 1.
// Options: --tickets N (default 100000), --duration S (default 10), --connections N (default 10), --smoke (2,000
// tickets, 1 s at 2 connections). Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
// BENCH_CPU_PROF_DIR=dir: each Directus writes a V8 CPU profile there when it stops (`--cpu-prof`), to see what a HIT
// costs (open it in Chrome DevTools, Performance tab).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD } from '../../extensions/service-desk/seed/core/demo.js';
import { type DirectusInstance } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { dropRedisNamespace, redisNamespaceEnv } from '../lib/redis-namespace.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  tickets: { full: '100000', smoke: '2000' },
  duration: { full: '10', smoke: '1' },
  connections: { full: '10', smoke: '2' },
});
const ticketCount = wholeNumber('tickets', values.tickets);
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const warmUpSeconds = Math.min(2, durationSeconds);
const redis = process.env.BENCH_REDIS_URL;
const cpuProfileDir = process.env.BENCH_CPU_PROF_DIR;
const prefix = `gw-bench-cache-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const LIST = '/items/tickets?limit=25&sort=-date_created';
const LIST_ORGS = '/items/tickets?limit=25&sort=-date_created&fields=id,organization';

interface Customer {
  email: string;
  id: string;
  organization: string;
  token?: string;
}

async function sql<T = Record<string, unknown>>(db: PgConnection, text: string, params: unknown[] = []) {
  return withClient(db, async (client) => (await client.query(text, params)).rows as T[]);
}

async function get(base: string, route: string, token: string) {
  const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, cache: response.headers.get('x-cache-status'), text: await response.text() };
}

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_cache');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const results: Array<LoadResult & { cache: string; schema: string; hits: string }> = [];
const leaks: string[] = [];
const checks: Array<[string, string]> = [];
let instance: DirectusInstance | undefined;
const variants = [
  { cache: 'off', schema: 'cloned' },
  { cache: 'on', schema: 'cloned' },
  { cache: 'off', schema: 'frozen' },
  { cache: 'on', schema: 'frozen' },
] as const;
try {
  await seedServiceDesk(db, { scope: SCOPE, tickets: ticketCount, storageRoot, analyze: ['tickets'] });
  // Two customers of the two organizations with the most tickets.
  const customers = await sql<Customer>(
    db,
    `select distinct on (u.organization) u.email, u.id, u.organization::text as organization,
        (select count(*) from tickets t where t.organization = u.organization) as n
       from directus_users u join directus_roles r on r.id = u.role
      where r.name = 'Customer' and u.status = 'active' and u.organization is not null
      order by u.organization, u.email`,
  );
  customers.sort((a, b) => Number((b as unknown as { n: string }).n) - Number((a as unknown as { n: string }).n));
  const [alice, bob] = customers;
  if (!alice || !bob) throw new Error('the demo set has fewer than two organizations with customers');
  const [bobTicket] = await sql<{ id: string }>(db, 'select id from tickets where organization = $1 limit 1', [
    bob.organization,
  ]);

  for (const { cache, schema } of variants) {
    const env: Record<string, string> = {
      CACHE_SCHEMA_FREEZE_ENABLED: schema === 'frozen' ? 'true' : 'false',
      LOG_LEVEL: 'warn',
      // No background work: a job writing through a Directus service (a notification delivery, its retries) purges the
      // whole cache, which measured the purges' timing instead of a HIT (with the worker on, 15 of 24 sampled reads
      // were HITs on one run and the leak check's second reads were MISSes).
      JOBS_WORKER: 'false',
      PRESSURE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
      CACHE_ENABLED: cache === 'on' ? 'true' : 'false',
      CACHE_AUTO_PURGE: 'true',
      CACHE_STATUS_HEADER: 'X-Cache-Status',
      CACHE_TTL: '5m',
      ...(cpuProfileDir
        ? {
            NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${cpuProfileDir} --cpu-prof-name=cache-${cache}-${schema}.cpuprofile`,
          }
        : {}),
      ...(redis
        ? {
            REDIS: redis,
            CACHE_STORE: 'redis',
            // Every store under this run's prefix: other instances on the same Redis (tests, other benches) use
            // databases whose ids may be the same as this one's (copies of one template).
            // One namespace per variant: the second cache-on instance must not find the first one's entries.
            ...redisNamespaceEnv(`${prefix}-${cache}-${schema}`),
          }
        : { CACHE_STORE: 'memory' }),
    };
    step(SCOPE, `booting Directus with the cache ${cache}, schema ${schema} (store ${redis ? 'redis' : 'memory'})`);
    instance = await startMigratedInstance({ db, name: `bench-cache-${cache}-${schema}`, env });
    const base = instance.baseUrl;
    for (const customer of [alice, bob]) {
      const response = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: customer.email, password: DEMO_PASSWORD }),
      });
      customer.token = ((await response.json()) as { data: { access_token: string } }).data.access_token;
    }

    if (cache === 'on') {
      step(SCOPE, 'leak check: two customers of different organizations read the same URLs twice');
      const answers = new Map<string, string>();
      for (const round of [1, 2]) {
        for (const customer of [alice, bob]) {
          const list = await get(base, LIST_ORGS, customer.token!);
          const rows = (JSON.parse(list.text) as { data: Array<{ organization: string }> }).data;
          const foreign = rows.filter((row) => row.organization !== customer.organization).length;
          if (list.status !== 200 || foreign > 0)
            leaks.push(
              `${schema} schema: ${customer.email} round ${round}: ${list.status}, ${foreign} tickets of another organization`,
            );
          if (round === 2 && list.cache !== 'HIT') leaks.push(`${customer.email}: second read was ${list.cache}`);
          checks.push([
            `${schema} schema: ${customer.email} list, read ${round}`,
            `${list.cache}, ${rows.length} rows, ${foreign} foreign`,
          ]);
          answers.set(`${customer.email}:${round}`, list.text);
          // The other organization's ticket: a 403 for alice, whether or not bob's answer is cached.
          const one = await get(base, `/items/tickets/${bobTicket!.id}?fields=id,organization`, customer.token!);
          const expected = customer === bob ? 200 : 403;
          if (one.status !== expected) leaks.push(`${customer.email} read bob's ticket: ${one.status}`);
          checks.push([
            `${schema} schema: ${customer.email} reads a ticket of ${bob.email}, read ${round}`,
            `${one.status} ${one.cache}`,
          ]);
        }
      }
      if (answers.get(`${alice.email}:2`) === answers.get(`${bob.email}:2`))
        leaks.push(`${schema} schema: both customers got one answer`);
    }

    const load = (seconds: number) =>
      runLoad({
        label: "customer's ticket list",
        url: `${base}${LIST}`,
        connections,
        durationSeconds: seconds,
        headers: { authorization: `Bearer ${alice.token}` },
      });
    step(SCOPE, `cache ${cache}, schema ${schema}: warm-up ${warmUpSeconds} s`);
    await load(warmUpSeconds);
    step(SCOPE, `cache ${cache}, schema ${schema}: ${durationSeconds} s at ${connections} connections`);
    // How many answers were HITs: a sampler reads the same URL every 100 ms beside the load (a write anywhere purges
    // the whole cache, e.g. a background job through a Directus service, and the load itself would not show it).
    const sampled = { hit: 0, all: 0 };
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const answer = await fetch(`${base}${LIST}`, { headers: { authorization: `Bearer ${alice.token}` } });
        await answer.arrayBuffer();
        sampled.all += 1;
        if (answer.headers.get('x-cache-status') === 'HIT') sampled.hit += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const result = await load(durationSeconds);
    loading = false;
    await sampler;
    results.push({ ...result, cache, schema, hits: cache === 'on' ? `${sampled.hit}/${sampled.all}` : '-' });
    step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    await instance.stop();
    instance = undefined;
  }
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
  if (redis) for (const { cache, schema } of variants) await dropRedisNamespace(redis, `${prefix}-${cache}-${schema}`);
}

console.log('');
console.log(
  `${ticketCount.toLocaleString('en-US')} tickets, ${connections} connections, ${durationSeconds} s per run, ` +
    `cache store ${redis ? 'redis' : 'memory'}`,
);
console.log(
  formatTable(
    ['route', 'cache', 'schema', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors', 'sampled HITs'],
    results.map((r) => [
      r.label,
      r.cache,
      r.schema,
      r.requestsPerSecond,
      r.p50Ms,
      r.p95Ms,
      r.p99Ms,
      r.non2xx,
      r.errors,
      r.hits,
    ]),
  ),
);
const find = (cache: string, schema: string) => results.find((r) => r.cache === cache && r.schema === schema);
const ratio = (a: LoadResult | undefined, b: LoadResult | undefined) =>
  a && b ? `${(a.requests / Math.max(1, b.requests)).toFixed(2)}x` : 'n/a';
console.log(
  `cache on / off, cloned schema (Directus's default): ${ratio(find('on', 'cloned'), find('off', 'cloned'))} the requests`,
);
console.log(`cache on / off, both frozen schema: ${ratio(find('on', 'frozen'), find('off', 'frozen'))} the requests`);
console.log(
  `cache on with frozen schema / off with cloned schema: ${ratio(find('on', 'frozen'), find('off', 'cloned'))} the requests`,
);
console.log('');
console.log(formatTable(['leak check', 'answer'], checks));
if (leaks.length > 0) {
  for (const leak of leaks) console.error(`LEAK: ${leak}`);
  process.exit(1);
}
console.log('no leak: each customer saw only their own organization, cached or not');
const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0 || r.requests === 0);
if (failed.length > 0) {
  for (const r of failed)
    console.error(
      `${r.label} (cache ${r.cache}, schema ${r.schema}): ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`,
    );
  console.error('the run is not valid: failed requests');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

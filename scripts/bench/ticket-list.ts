// `npm run bench:ticket-list`: the service desk's reads at scale, without and with the indexes of snapshot version
// list-indexes (decision 0031), in one run on one Directus. A throwaway database is migrated to the latest version,
// seeded with the demo set plus N tickets (one message each, `npm run seed -- --tickets N`'s code), then:
//   1. baseline: the version's indexes are dropped; each listed read (extensions/service-desk/tests/plans/queries.ts,
//      the list the plan check uses) is explained with ANALYZE, and three routes are loaded over HTTP: the
//      customer's list, an agent's "My open tickets" preset and opening one ticket with its messages;
//   2. the indexes are built again (timed, as the migration builds them) and the same is measured.
// Prints req/s, p50/p95/p99 per route and phase, each listed query's execution time, the index sizes and the
// Directus process's memory (RSS).
// Options: --tickets N (default 1000000), --duration S (default 10), --connections N (default 10), --smoke (2,000
// tickets, 1 s at 2 connections, for CI). Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { DEMO_PASSWORD } from '../../extensions/service-desk/seed/core/demo.js';
import { captureSql, explain, readsAny } from '../../extensions/service-desk/tests/plans/plans.js';
import {
  LARGE_TABLES,
  LISTED_REQUESTS,
  listedJobQueries,
  withTicket,
  type Captured,
} from '../../extensions/service-desk/tests/plans/queries.js';
import { step } from '../lib/log.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { json, rssMb } from './lib/http.js';
import { createListIndexes, dropListIndexes, INDEXES } from './lib/list-indexes.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer, RESPONSE_CACHE_OFF } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  tickets: { full: '1000000', smoke: '2000' },
  duration: { full: '10', smoke: '1' },
  connections: { full: '10', smoke: '2' },
});
const ticketCount = wholeNumber('tickets', values.tickets);
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const warmUpSeconds = Math.min(2, durationSeconds);

type Phase = 'without the indexes' | 'with the indexes';

async function sql<T = Record<string, unknown>>(db: PgConnection, text: string, params: unknown[] = []) {
  return withClient(db, async (client) => (await client.query(text, params)).rows as T[]);
}

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_ticket_list');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const results: Array<LoadResult & { phase: Phase }> = [];
const plans: Array<{ phase: Phase; name: string; ms: number }> = [];
const memory: Array<[string, number]> = [];
const sizes: Array<[string, string]> = [];
let buildMs = 0;
let seedSeconds = 0;
let instance: Awaited<ReturnType<typeof startMigratedInstance>> | undefined;
try {
  await seedServiceDesk(db, {
    scope: SCOPE,
    tickets: ticketCount,
    storageRoot,
    analyze: ['tickets', 'ticket_messages', 'ticket_messages_files'],
    prepare: async (client, { seeded }) => {
      seedSeconds = seeded.elapsedMs / 1000;
      step(SCOPE, `seeded in ${seedSeconds.toFixed(1)} s; dropping the indexes of list-indexes for the baseline`);
      await dropListIndexes(client);
    },
  });

  // The callers: the demo customer whose organization has the most tickets, the agent with the most open ones.
  const [customer] = await sql<{ email: string; id: string }>(
    db,
    `select u.email, u.id from directus_users u join directus_roles r on r.id = u.role
      where r.name = 'Customer' order by (select count(*) from tickets t where t.organization = u.organization) desc
      limit 1`,
  );
  const [agent] = await sql<{ email: string; id: string }>(
    db,
    `select u.email, u.id from directus_users u join directus_roles r on r.id = u.role where r.name = 'Agent'
      order by (select count(*) from tickets t where t.assignee = u.id and t.status not in ('solved', 'closed')) desc
      limit 1`,
  );
  const ticketPool = (
    await sql<{ id: string }>(
      db,
      `select id from tickets where organization = (select organization from directus_users where id = $1)
        order by md5(id::text) limit 1000`,
      [customer!.id],
    )
  ).map((row) => row.id);

  step(SCOPE, 'booting Directus (rate and pressure limiters off, LOG_LEVEL=warn)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-ticket-list',
    env: {
      LOG_LEVEL: 'warn',
      PRESSURE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
      ...RESPONSE_CACHE_OFF,
    },
  });
  memory.push(['after boot', rssMb(instance.process.pid)]);
  const base = instance.baseUrl;
  const login = async (email: string) =>
    (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ email, password: DEMO_PASSWORD }) }))
      .access_token as string;
  const tokens = { customer: await login(customer!.email), agent: await login(agent!.email) };

  const routes = [
    {
      label: 'customer: my tickets, newest first',
      who: 'customer' as const,
      path: () => '/items/tickets?limit=25&sort=-date_created',
    },
    {
      label: 'agent: my open tickets (preset)',
      who: 'agent' as const,
      path: () => LISTED_REQUESTS.find((request) => request.name === 'agent: my open tickets')!.path,
    },
    {
      label: 'agent: open one ticket with its messages',
      who: 'agent' as const,
      path: (() => {
        let next = 0;
        const template = LISTED_REQUESTS.find((r) => r.name === 'agent: open one ticket with its messages')!.path;
        return () => withTicket(template, ticketPool[next++ % ticketPool.length]!);
      })(),
    },
  ];

  // The SQL of every listed read, captured once (the statements do not depend on the indexes).
  step(SCOPE, 'capturing the SQL Directus runs for the listed reads');
  const captured: Captured[] = await captureSql(
    db,
    LISTED_REQUESTS.map((request) => ({
      name: request.name,
      user: request.who === 'customer' ? customer!.id : agent!.id,
      path: withTicket(request.path, ticketPool[0]!),
    })),
  );
  const knex = knexFactory({ client: 'pg' });
  captured.push(
    ...listedJobQueries(knex).map(({ name, sql: native }) => ({
      name,
      statements: [{ sql: native.sql, bindings: native.bindings as unknown[] }],
    })),
  );
  await knex.destroy();

  const measure = async (phase: Phase) => {
    await withClient(db, async (client) => {
      for (const request of captured) {
        let total = 0;
        for (const statement of request.statements.filter((s) => readsAny(s.sql, LARGE_TABLES))) {
          total += (await explain(client, statement, { analyze: true })).executionMs ?? 0;
        }
        plans.push({ phase, name: request.name, ms: Math.round(total * 10) / 10 });
      }
    });
    for (const route of routes) {
      const load = (seconds: number) =>
        runLoad({
          label: route.label,
          url: `${base}${route.path()}`,
          connections,
          durationSeconds: seconds,
          headers: { authorization: `Bearer ${tokens[route.who]}` },
          nextRequest: () => ({ method: 'GET', path: route.path() }),
        });
      step(SCOPE, `${phase}: ${route.label}: warm-up ${warmUpSeconds} s`);
      await load(warmUpSeconds);
      step(SCOPE, `${phase}: ${route.label}: ${durationSeconds} s at ${connections} connections`);
      const result = await load(durationSeconds);
      results.push({ ...result, phase });
      step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    }
    memory.push([`after the loads ${phase}`, rssMb(instance!.process.pid)]);
  };

  await measure('without the indexes');
  step(SCOPE, `building the ${INDEXES.length} indexes`);
  await withClient(db, async (client) => {
    buildMs = await createListIndexes(client);
    await client.query('analyze tickets');
    await client.query('analyze ticket_messages');
    await client.query('analyze ticket_messages_files');
    for (const row of (
      await client.query(
        `select c.relname as name, pg_size_pretty(pg_relation_size(c.oid)) as size from pg_class c
          where c.relname = any($1) or c.relname in ('tickets', 'ticket_messages') order by c.relname`,
        [INDEXES.map((index) => index.name)],
      )
    ).rows as Array<{ name: string; size: string }>)
      sizes.push([row.name, row.size]);
  });
  step(SCOPE, `indexes built in ${(buildMs / 1000).toFixed(1)} s`);
  await measure('with the indexes');
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

console.log('');
console.log(
  `${ticketCount.toLocaleString('en-US')} tickets and as many messages (seeded in ${seedSeconds.toFixed(1)} s), ` +
    `${connections} connections, ${durationSeconds} s per route and phase`,
);
console.log(
  formatTable(
    ['route', 'indexes', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'],
    results.map((r) => [
      r.label,
      r.phase === 'with the indexes' ? 'yes' : 'no',
      r.requestsPerSecond,
      r.p50Ms,
      r.p95Ms,
      r.p99Ms,
      r.non2xx,
      r.errors,
    ]),
  ),
);
console.log('');
const names = [...new Set(plans.map((plan) => plan.name))];
const msOf = (phase: Phase, name: string) => plans.find((plan) => plan.phase === phase && plan.name === name)?.ms;
console.log(
  formatTable(
    ['listed query (EXPLAIN ANALYZE, statements on large tables)', 'without ms', 'with ms'],
    names.map((name) => [name, msOf('without the indexes', name) ?? '', msOf('with the indexes', name) ?? '']),
  ),
);
console.log('');
console.log(`the ${INDEXES.length} indexes built in ${(buildMs / 1000).toFixed(1)} s`);
console.log(formatTable(['relation', 'size'], sizes));
console.log('');
console.log(formatTable(['Directus RSS', 'MiB'], memory));
const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0 || r.requests === 0);
if (failed.length > 0) {
  for (const r of failed)
    console.error(`${r.label} (${r.phase}): ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);
  console.error('the run is not valid: failed requests');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

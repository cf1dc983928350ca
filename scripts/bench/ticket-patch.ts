// `npm run bench:ticket-patch`: PATCH of a ticket's status with the workflow hooks on against off, in one run.
// Two Directus instances, each on its own throwaway database migrated to the latest version: "on" runs as shipped
// (enforcement filter, database trigger with history row and outbox event, and every other hook on ticket writes);
// "off" sets HOOKS_OFF_ENV, so the filter is not registered and its database never gets the trigger. Each request,
// as an agent, moves one ticket of a pool between open and pending (both are allowed moves), so every request
// is a real transition. A third instance runs with the hooks on but JOBS_WORKER=false (the outbox's dispatch jobs
// are worked elsewhere, as on API-only instances), to separate the write path's cost from the worker's. The
// instances are measured in turn, round after round, after a warm-up each.
// On a shared machine throughput drifts by more than the effect, so rounds are short and interleaved, and the
// overhead is the median over rounds of each round's ratio against "hooks off" measured right after it.
// Options: --duration S (default 5), --connections N (default 10), --pool N (default 3000), --rounds N (default 8),
// --smoke (one round of 1 s at 2 connections on 50 tickets, for CI).
// Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { buildStaleExtensions } from '../lib/extensions.js';
import { ROLE } from '../domain/service-desk/access.js';
import { createTestDatabase, TEST_ADMIN, type DirectusInstance } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { dropDatabase, toolServer, type PgConnection } from '../lib/postgres.js';
import { openDatabase } from '../snapshots/database.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';

const SCOPE = 'bench';
/** What turns the hooks off on the baseline instance (the notifications capability adds its flag here). */
const HOOKS_OFF_ENV = { GROUNDWORK_WORKFLOWS_ENFORCE: 'false' };
const { smoke, values } = readBenchOptions({
  duration: { full: '5', smoke: '1' },
  connections: { full: '10', smoke: '2' },
  pool: { full: '3000', smoke: '50' },
  rounds: { full: '8', smoke: '1' },
});
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const poolSize = wholeNumber('pool', values.pool);
const rounds = wholeNumber('rounds', values.rounds);

type Label = 'hooks on' | 'hooks on, worker elsewhere' | 'hooks off';
interface Target {
  label: Label;
  db: PgConnection;
  instance: DirectusInstance;
  token: string;
  tickets: string[];
  state: Map<string, 'open' | 'pending'>;
  next: number;
}

async function json(url: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  const body = (await response.json()) as { data: Record<string, unknown> };
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body.data;
}

async function prepare(label: Label, db: PgConnection, env: Record<string, string>): Promise<Target> {
  step(SCOPE, `${label}: booting Directus on ${db.database}`);
  const instance = await startMigratedInstance({
    db,
    name: `bench-ticket-patch-${label.replace(/\W+/g, '-')}`,
    env: { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false', ...env },
  });
  const base = instance.baseUrl;
  const admin = (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify(TEST_ADMIN) }))
    .access_token as string;
  const policy = await json(`${base}/items/sla_policies`, {
    method: 'POST',
    token: admin,
    body: JSON.stringify({
      name: 'Bench',
      ...Object.fromEntries(
        ['low', 'normal', 'high', 'urgent'].flatMap((p) => [
          [`first_response_${p}`, 60],
          [`resolution_${p}`, 600],
        ]),
      ),
    }),
  });
  const org = await json(`${base}/items/organizations`, {
    method: 'POST',
    token: admin,
    body: JSON.stringify({ name: 'Bench org', domain: 'bench.example.com', sla_policy: policy.id }),
  });
  const password = randomBytes(12).toString('hex');
  await json(`${base}/users`, {
    method: 'POST',
    token: admin,
    body: JSON.stringify({ email: 'agent@bench.example.com', password, role: ROLE.agent }),
  });
  const token = (
    await json(`${base}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: 'agent@bench.example.com', password }),
    })
  ).access_token as string;
  // The pool is written with SQL (fast; both databases get the same rows), already open.
  const knex = openDatabase(db);
  const tickets = Array.from({ length: poolSize }, () => randomUUID());
  try {
    for (let i = 0; i < tickets.length; i += 500) {
      await knex('tickets').insert(
        tickets.slice(i, i + 500).map((id) => ({ id, subject: 'bench', status: 'open', organization: org.id })),
      );
    }
  } finally {
    await knex.destroy();
  }
  return { label, db, instance, token, tickets, state: new Map(tickets.map((id) => [id, 'open'])), next: 0 };
}

function patchLoad(target: Target, seconds: number): Promise<LoadResult> {
  return runLoad({
    label: target.label,
    url: `${target.instance.baseUrl}/items/tickets`,
    connections,
    durationSeconds: seconds,
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    // Round-robin over the pool: a ticket comes back only after poolSize requests, long after its last PATCH.
    nextRequest: () => {
      const id = target.tickets[target.next++ % target.tickets.length]!;
      const to = target.state.get(id) === 'open' ? 'pending' : 'open';
      target.state.set(id, to);
      return { method: 'PATCH', path: `/items/tickets/${id}`, body: JSON.stringify({ status: to }) };
    },
  });
}

const { server, stop: stopServer } = await toolServer({
  url: process.env.BENCH_DATABASE_URL,
  dataDirName: 'bench-postgres',
  port: 5459,
  scope: SCOPE,
});
await buildStaleExtensions(SCOPE);
const databases = [
  await createTestDatabase(server, 'bench_on'),
  await createTestDatabase(server, 'bench_api'),
  await createTestDatabase(server, 'bench_off'),
];
const targets: Target[] = [];
const results: LoadResult[] = [];
let history = { on: 0, api: 0, off: 0 };
try {
  targets.push(await prepare('hooks on', databases[0]!, {}));
  targets.push(await prepare('hooks on, worker elsewhere', databases[1]!, { JOBS_WORKER: 'false' }));
  targets.push(await prepare('hooks off', databases[2]!, HOOKS_OFF_ENV));
  for (const target of targets) {
    step(SCOPE, `${target.label}: warm-up ${Math.min(3, durationSeconds)} s`);
    await patchLoad(target, Math.min(3, durationSeconds));
  }
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      step(SCOPE, `${target.label}: round ${round}, ${durationSeconds} s at ${connections} connections`);
      const result = await patchLoad(target, durationSeconds);
      results.push(result);
      step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    }
  }
  // Proof the "on" side did the work and the "off" side did not.
  const count = async (db: PgConnection) => {
    const knex = openDatabase(db);
    try {
      return Number((await knex('workflow_history').whereNotNull('from').count({ n: '*' }))[0]!.n);
    } finally {
      await knex.destroy();
    }
  };
  history = { on: await count(databases[0]!), api: await count(databases[1]!), off: await count(databases[2]!) };
} finally {
  for (const target of targets) await target.instance.stop();
  for (const db of databases) await dropDatabase(server, db.database);
  await stopServer();
}

console.log('');
console.log(
  formatTable(
    ['instance', 'connections', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'],
    results.map((r) => [r.label, r.connections, r.requestsPerSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.non2xx, r.errors]),
  ),
);
const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
/** Per round: 1 - on/off for throughput and on/off - 1 for p50 (rounds hold one result per instance, in order). */
const perRound = (label: Label) =>
  Array.from({ length: rounds }, (_, round) => {
    const slice = results.slice(round * targets.length, (round + 1) * targets.length);
    const on = slice.find((r) => r.label === label)!;
    const off = slice.find((r) => r.label === 'hooks off')!;
    return { throughput: 1 - on.requestsPerSecond / off.requestsPerSecond, p50: on.p50Ms / off.p50Ms - 1 };
  });
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
console.log('');
console.log(
  `transitions recorded in workflow_history: hooks on ${history.on}, worker elsewhere ${history.api}, ` +
    `hooks off ${history.off}`,
);
for (const label of ['hooks on', 'hooks on, worker elsewhere'] as const) {
  const rows = perRound(label);
  const throughput = rows.map((row) => row.throughput);
  console.log(
    `overhead of "${label}" against "hooks off" (median of ${rows.length} paired rounds): ` +
      `${percent(median(throughput))} throughput (rounds from ${percent(Math.min(...throughput))} to ` +
      `${percent(Math.max(...throughput))}), ${percent(median(rows.map((row) => row.p50)))} p50; goal: at most 10%`,
  );
}
const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0);
if (failed.length > 0 || history.on === 0 || history.api === 0 || history.off !== 0) {
  for (const r of failed) console.error(`${r.label}: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);
  console.error('the run is not valid: failed requests, or the hooks did not run as configured');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

// `npm run bench:ticket-patch`: PATCH of a ticket's status on Directus with our bundles against Directus without them.
// Two Directus 11.17.4 instances, each on its own throwaway database migrated the same way to the latest version
// (the migration runs Directus's CLI without extensions, so both get the domain's own triggers: ticket numbers,
// SLA due times, the notification triggers, which a status PATCH does not fire). "Directus alone" starts with an
// EXTENSIONS_PATH that holds no extension, so its database never gets what the platform installs at boot (the
// workflow triggers, the jobs and events functions): no filter, no trigger, no history, no event. "Groundwork" runs
// as shipped (every hook of both bundles, the workflow filter and trigger with its history row and outbox event,
// the jobs worker in-process). Each request, as an agent, moves one ticket of a pool between open and pending (both
// allowed moves), so every request on "Groundwork" is a real transition. Rounds are interleaved (alone, Groundwork,
// alone, Groundwork, ...) after a warm-up each; on a shared machine throughput drifts by more than the effect, so the
// overhead is the median over rounds of each round's ratio of the two.
// Options: --duration S (default 5), --connections N (default 10), --pool N (default 3000), --rounds N (default 10),
// --smoke (one round of 1 s at 2 connections on 50 tickets, for CI).
// Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROLE } from '../../extensions/service-desk/spec/service-desk/access.js';
import { TEST_ADMIN, type DirectusInstance } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { type PgConnection } from '../lib/postgres.js';
import { openDatabase } from '../snapshots/database.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { json } from './lib/http.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  duration: { full: '5', smoke: '1' },
  connections: { full: '10', smoke: '2' },
  pool: { full: '3000', smoke: '50' },
  rounds: { full: '10', smoke: '1' },
});
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const poolSize = wholeNumber('pool', values.pool);
const rounds = wholeNumber('rounds', values.rounds);

const BASELINE = 'Directus alone (no extensions)';
const OURS = 'Groundwork (both bundles)';
type Label = typeof BASELINE | typeof OURS;
interface Target {
  label: Label;
  db: PgConnection;
  instance: DirectusInstance;
  token: string;
  tickets: string[];
  state: Map<string, 'open' | 'pending'>;
  next: number;
}

/** Without our extensions there is no readiness route: wait for Directus's own ping. */
async function waitForPing(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 300_000; // a loaded machine can take minutes
  for (;;) {
    const ok = await fetch(`${baseUrl}/server/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not answer /server/ping within 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function prepare(label: Label, db: PgConnection, env: Record<string, string>): Promise<Target> {
  step(SCOPE, `${label}: migrating ${db.database} and booting Directus`);
  const instance = await startMigratedInstance({
    db,
    name: `bench-ticket-patch-${label.replace(/\W+/g, '-')}`,
    env: { LOG_LEVEL: 'warn', PRESSURE_LIMITER_ENABLED: 'false', ...env },
    waitReady: false,
  });
  await waitForPing(instance.baseUrl);
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
  // The pool is written with SQL (fast; both databases get the same rows, through the same domain triggers), open.
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

/** What each database has on tickets afterwards: its triggers and the transitions it recorded. */
async function inspect(db: PgConnection): Promise<{ triggers: string[]; transitions: number }> {
  const knex = openDatabase(db);
  try {
    const triggers = (
      await knex.raw(
        `select tgname from pg_trigger where tgrelid = 'tickets'::regclass and not tgisinternal order by tgname`,
      )
    ).rows.map((row: { tgname: string }) => row.tgname);
    const transitions = Number((await knex('workflow_history').whereNotNull('from').count({ n: '*' }))[0]!.n);
    return { triggers, transitions };
  } finally {
    await knex.destroy();
  }
}

/**
 * Waits until our instance has done the work a round left behind (events dispatched, notification jobs run): it runs
 * after the PATCHes answered, and it would otherwise eat into the next baseline round. Returns how long it took.
 */
async function drainBackgroundWork(db: PgConnection): Promise<number> {
  const knex = openDatabase(db);
  const started = Date.now();
  try {
    for (;;) {
      const [events] = (
        await knex.raw(
          `select count(*)::int as n from groundwork.domain_event where dispatched_at is null and dead_at is null`,
        )
      ).rows as Array<{ n: number }>;
      const [jobs] = (
        await knex.raw(
          `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active') and start_after <= now()`,
        )
      ).rows as Array<{ n: number }>;
      if (events!.n === 0 && jobs!.n === 0) return Date.now() - started;
      if (Date.now() - started > 300_000) throw new Error('background work did not drain within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await knex.destroy();
  }
}

const bench = await benchServer(SCOPE);
const noExtensions = mkdtempSync(path.join(os.tmpdir(), 'groundwork-no-extensions-'));
const databases = [await bench.database('bench_alone'), await bench.database('bench_ours')];
const targets: Target[] = [];
const results: LoadResult[] = [];
const drains: number[] = [];
let after: { triggers: string[]; transitions: number }[] = [];
try {
  targets.push(await prepare(BASELINE, databases[0]!, { EXTENSIONS_PATH: noExtensions }));
  targets.push(await prepare(OURS, databases[1]!, {}));
  for (const target of targets) {
    step(SCOPE, `${target.label}: warm-up ${Math.min(3, durationSeconds)} s`);
    await patchLoad(target, Math.min(3, durationSeconds));
    if (target.label === OURS) await drainBackgroundWork(databases[1]!);
  }
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      step(SCOPE, `${target.label}: round ${round}, ${durationSeconds} s at ${connections} connections`);
      const result = await patchLoad(target, durationSeconds);
      results.push(result);
      step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
      if (target.label === OURS) {
        const drained = await drainBackgroundWork(databases[1]!);
        drains.push(drained);
        step(SCOPE, `${OURS}: events and jobs of the round done ${drained} ms after its last answer`);
      }
    }
  }
  after = [await inspect(databases[0]!), await inspect(databases[1]!)];
} finally {
  for (const target of targets) await target.instance.stop();
  await bench.close();
  rmSync(noExtensions, { recursive: true, force: true });
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
/** Per round (alone, then ours): 1 - ours/alone for throughput and ours/alone - 1 for p50. */
const perRound = Array.from({ length: rounds }, (_, round) => {
  const [alone, ours] = [results[round * 2]!, results[round * 2 + 1]!];
  return { throughput: 1 - ours.requests / alone.requests, p50: ours.p50Ms / alone.p50Ms - 1 };
});
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const [alone, ours] = after;
console.log('');
console.log(`triggers on tickets, ${BASELINE}: ${alone?.triggers.join(', ')}`);
console.log(`triggers on tickets, ${OURS}: ${ours?.triggers.join(', ')}`);
console.log(
  `transitions recorded in workflow_history: ${OURS} ${ours?.transitions}, ${BASELINE} ${alone?.transitions}`,
);
const throughput = perRound.map((row) => row.throughput);
const p50 = perRound.map((row) => row.p50);
console.log(
  `overhead of ${OURS} against ${BASELINE} (median of ${rounds} interleaved rounds): ` +
    `${percent(median(throughput))} throughput (rounds from ${percent(Math.min(...throughput))} to ` +
    `${percent(Math.max(...throughput))}), ${percent(median(p50))} p50 (rounds from ${percent(Math.min(...p50))} to ` +
    `${percent(Math.max(...p50))}); goal: at most 10% on both`,
);
console.log(
  `background work after each ${OURS} round (events dispatched, notification jobs run): median ${median(drains)} ms, ` +
    `max ${Math.max(...drains)} ms; it is off the request path and waited for before the next baseline round`,
);
const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0);
const workflowTriggers = (triggers: string[] | undefined) =>
  (triggers ?? []).filter((t) => t.startsWith('groundwork_'));
if (
  failed.length > 0 ||
  !ours ||
  !alone ||
  ours.transitions === 0 ||
  alone.transitions !== 0 ||
  workflowTriggers(alone.triggers).length !== 0 ||
  workflowTriggers(ours.triggers).length === 0
) {
  for (const r of failed) console.error(`${r.label}: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);
  console.error('the run is not valid: failed requests, or an instance did not run as configured');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

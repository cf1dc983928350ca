// `npm run bench:purge-writes`: what the cache-purge trigger (decision 0075) costs the writes it watches. With
// CACHE_ENABLED every collection's table carries a statement trigger that calls pg_notify; PostgreSQL then queues the
// notification and takes its notify lock at commit, once per transaction and table. On a seeded service desk a
// Directus with the cache on is running (so its boot installed the triggers and it LISTENs and purges, as in
// production); then rounds alternate "with the trigger" and "without" (the baseline: the same trigger disabled, so
// nothing else differs), each a timed load of single-row UPDATEs in autocommit at --connections clients, on two
// tables: `tickets` (the real one, with the domain's own triggers and indexes) and a bare probe table (one integer
// column: the trigger's cost alone). Per variant: statements per second and p50/p95 latency (medians over rounds),
// the overhead against the baseline, and Directus's peak RSS while it heard the notifications.
// Options: --tickets N (default 20000), --rounds N (default 5), --duration S per load (default 5), --connections N
// (default 8), --smoke (500 tickets, 1 round of 1 s at 2 connections). Database: BENCH_DATABASE_URL, else embedded.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DirectusInstance } from '../lib/instance.js';
import { step } from '../lib/log.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { rssPeakSampler } from './lib/http.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer } from './lib/server.js';
import { formatTable, percentile } from './lib/stats.js';

const SCOPE = 'bench:purge-writes';
const TRIGGER = 'groundwork_cache_purge';
const PROBE = 'bench_purge_probe';
const PROBE_ROWS = 10_000;
const { smoke, values } = readBenchOptions({
  tickets: { full: '20000', smoke: '500' },
  rounds: { full: '5', smoke: '1' },
  duration: { full: '5', smoke: '1' },
  connections: { full: '8', smoke: '2' },
});
const ticketCount = wholeNumber('tickets', values.tickets);
const rounds = wholeNumber('rounds', values.rounds);
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);

type Variant = 'with' | 'without';
interface Target {
  table: string;
  label: string;
  ids: string[];
  statement: string;
}
interface RoundFigures {
  table: string;
  variant: Variant;
  perSecond: number;
  p50: number;
  p95: number;
  rssMb: number;
}

/** `connections` clients, each running `statement` on random ids in autocommit until the time is up. */
async function load(db: PgConnection, target: Target, pid: number | undefined) {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ ...db });
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  const memory = rssPeakSampler(pid);
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          const id = target.ids[Math.floor(Math.random() * target.ids.length)]!;
          const begun = performance.now();
          await client.query(target.statement, [id]);
          latencies.push(performance.now() - begun);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    rssMb: memory.stop(),
  };
}

const bench = await benchServer(SCOPE);
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const figures: RoundFigures[] = [];
let instance: DirectusInstance | undefined;
try {
  const db = await bench.database('purge_writes');
  await seedServiceDesk(db, { scope: SCOPE, tickets: ticketCount, storageRoot, analyze: ['tickets'] });
  const targets: Target[] = await withClient(db, async (client) => {
    step(SCOPE, `making the probe table ${PROBE} (${PROBE_ROWS.toLocaleString('en-US')} rows, no trigger of its own)`);
    await client.query(`create table ${PROBE} (id integer primary key, n integer not null default 0)`);
    await client.query(`insert into ${PROBE} (id) select generate_series(1, ${PROBE_ROWS})`);
    await client.query(`vacuum analyze ${PROBE}`);
    const tickets = (await client.query<{ id: string }>('select id from tickets')).rows.map((row) => row.id);
    return [
      {
        table: 'tickets',
        label: 'tickets (domain triggers and indexes)',
        ids: tickets,
        statement: 'update tickets set subject = subject where id = $1',
      },
      {
        table: PROBE,
        label: `${PROBE} (bare)`,
        ids: Array.from({ length: PROBE_ROWS }, (_, i) => String(i + 1)),
        statement: `update ${PROBE} set n = n + 1 where id = $1`,
      },
    ];
  });

  step(SCOPE, 'booting Directus with the response cache on (it installs the purge triggers and listens)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-purge-writes',
    env: {
      CACHE_ENABLED: 'true',
      CACHE_AUTO_PURGE: 'true',
      CACHE_STORE: 'memory',
      LOG_LEVEL: 'warn',
      JOBS_WORKER: 'false',
      PRESSURE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
    },
  });
  const pid = instance.process.pid;
  await withClient(db, async (client) => {
    const { rows } = await client.query<{ relname: string }>(
      `select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid
        where t.tgname = $1 and c.relname = any($2)`,
      [TRIGGER, targets.map((target) => target.table)],
    );
    if (rows.length !== targets.length)
      throw new Error(`the purge trigger is missing on ${targets.length - rows.length} of the measured tables`);
    for (let round = 1; round <= rounds; round++) {
      // Alternated, so a drift in the machine's load falls on both variants alike.
      const order: Variant[] = round % 2 === 1 ? ['with', 'without'] : ['without', 'with'];
      for (const variant of order)
        for (const target of targets) {
          await client.query(
            `alter table ${target.table} ${variant === 'with' ? 'enable' : 'disable'} trigger ${TRIGGER}`,
          );
          step(SCOPE, `round ${round}/${rounds}, ${variant} the trigger: ${target.label}, ${durationSeconds} s`);
          const result = await load(db, target, pid);
          figures.push({ table: target.table, variant, ...result });
          step(SCOPE, `${result.perSecond.toFixed(0)} statements/s, p95 ${result.p95.toFixed(2)} ms`);
        }
    }
    for (const target of targets) await client.query(`alter table ${target.table} enable trigger ${TRIGGER}`);
  });
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
const rows: Array<Array<string | number>> = [];
for (const table of [...new Set(figures.map((row) => row.table))]) {
  const of = (variant: Variant) => figures.filter((row) => row.table === table && row.variant === variant);
  const baseline = median(of('without').map((row) => row.perSecond));
  for (const variant of ['without', 'with'] as const) {
    const mine = of(variant);
    const perSecond = median(mine.map((row) => row.perSecond));
    rows.push([
      table,
      variant === 'with' ? 'with the purge trigger' : 'without (baseline)',
      perSecond.toFixed(0),
      median(mine.map((row) => row.p50)).toFixed(2),
      median(mine.map((row) => row.p95)).toFixed(2),
      variant === 'with' ? `${((100 * (baseline - perSecond)) / baseline).toFixed(1)} %` : '-',
      Math.max(...mine.map((row) => row.rssMb)),
    ]);
  }
}
console.log(
  `\nbench:purge-writes: ${ticketCount.toLocaleString('en-US')} tickets, ${rounds} round(s) alternated, ` +
    `${durationSeconds} s each at ${connections} connections; single-row UPDATEs in autocommit; medians over rounds\n`,
);
console.log(
  formatTable(
    ['table', 'variant', 'statements/s', 'p50 ms', 'p95 ms', 'throughput lost', 'Directus peak RSS MB'],
    rows,
  ),
);
if (figures.some((row) => row.perSecond === 0)) {
  console.error('the run is not valid: a load ran no statement');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

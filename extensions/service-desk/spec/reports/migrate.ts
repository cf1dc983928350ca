// Data migration of the reports version (copied into snapshots/NNNN-reports/ by the authoring script; decision 0044).
// The rollups report_ticket_counts and report_ticket_times change in the transaction of every ticket write, by three
// statement-level triggers on tickets whose transition tables (the rows before and after) are summed into signed
// deltas: one upsert per rollup and statement, whatever the number of rows, and an update that changes no reported
// field nets to zero and writes nothing. The deltas are upserted in key order, so two writes moving tickets between
// the same cells in opposite directions lock them in the same order (no deadlock). The backfill is the same statement
// over every existing ticket, under a lock that holds ticket writes back meanwhile. Then the report definitions the
// platform's route runs (groundwork.report_definitions; the platform names no domain field).
import type { Knex } from 'knex';

const TICKET_FIELDS = [
  'date_created',
  'organization',
  'status',
  'priority',
  'channel',
  'assignee',
  'satisfaction',
  'first_responded_at',
  'first_response_due_at',
  'solved_at',
  'resolution_due_at',
];

/** Times are bucketed by ×1.2 (a quantile read from the histogram is within ±10 %): bucket b is [1.2^b - 1, 1.2^(b+1) - 1) minutes. */
export const BUCKET_BASE = 1.2;

const bucketFunction = `create or replace function report_time_bucket(started timestamptz, ended timestamptz)
  returns integer language sql immutable parallel safe as $$
  select floor(ln(greatest(extract(epoch from ended - started) / 60, 0) + 1) / ln(${BUCKET_BASE}))::integer $$`;

/** A select of the reported ticket fields with a signed `delta` per row, from tables named like tickets. */
export const deltaSource = (parts: Array<{ table: string; sign: 1 | -1 }>): string =>
  parts
    .map(({ table, sign }) => `select ${TICKET_FIELDS.join(', ')}, ${sign} as delta from ${table}`)
    .join(' union all ');

/** Adds the deltas of `source` (see deltaSource) to both rollups, in key order. */
export function rollupStatements(source: string): string[] {
  const rated = (rating: number) => `sum(case when satisfaction = ${rating} then delta else 0 end)`;
  const ratings = [1, 2, 3, 4, 5];
  return [
    `insert into report_ticket_counts as r (day, organization, status, priority, channel, assignee, tickets,
        csat_count, csat_sum, ${ratings.map((n) => `csat_${n}`).join(', ')})
     select (date_created at time zone 'UTC')::date, organization, status, priority, channel, assignee, sum(delta),
        sum(case when satisfaction is null then 0 else delta end), sum(coalesce(satisfaction, 0) * delta),
        ${ratings.map(rated).join(', ')}
       from (${source}) as c
      group by 1, 2, 3, 4, 5, 6
     having sum(delta) <> 0 or sum(case when satisfaction is null then 0 else delta end) <> 0
         or sum(coalesce(satisfaction, 0) * delta) <> 0
      order by 1, 2, 3, 4, 5, 6
     on conflict (day, organization, status, priority, channel, assignee) do update set
        tickets = r.tickets + excluded.tickets, csat_count = r.csat_count + excluded.csat_count,
        csat_sum = r.csat_sum + excluded.csat_sum,
        ${ratings.map((n) => `csat_${n} = r.csat_${n} + excluded.csat_${n}`).join(', ')}`,
    `insert into report_ticket_times as r (day, organization, priority, metric, bucket, tickets, within_sla, with_target)
     select (c.date_created at time zone 'UTC')::date, c.organization, c.priority, m.metric,
        report_time_bucket(c.date_created, m.ended), sum(c.delta),
        sum(case when m.ended <= m.due then c.delta else 0 end), sum(case when m.due is null then 0 else c.delta end)
       from (${source}) as c
      cross join lateral (values ('first_response', c.first_responded_at, c.first_response_due_at),
                                 ('resolution', c.solved_at, c.resolution_due_at)) as m (metric, ended, due)
      where m.ended is not null and c.date_created is not null
      group by 1, 2, 3, 4, 5
     having sum(c.delta) <> 0 or sum(case when m.ended <= m.due then c.delta else 0 end) <> 0
         or sum(case when m.due is null then 0 else c.delta end) <> 0
      order by 1, 2, 3, 4, 5
     on conflict (day, organization, priority, metric, bucket) do update set
        tickets = r.tickets + excluded.tickets, within_sla = r.within_sla + excluded.within_sla,
        with_target = r.with_target + excluded.with_target`,
  ];
}

const triggers: Array<{ event: 'insert' | 'update' | 'delete'; referencing: string; source: string }> = [
  { event: 'insert', referencing: 'new table as after_rows', source: deltaSource([{ table: 'after_rows', sign: 1 }]) },
  {
    event: 'update',
    referencing: 'old table as before_rows new table as after_rows',
    source: deltaSource([
      { table: 'before_rows', sign: -1 },
      { table: 'after_rows', sign: 1 },
    ]),
  },
  {
    event: 'delete',
    referencing: 'old table as before_rows',
    source: deltaSource([{ table: 'before_rows', sign: -1 }]),
  },
];

const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'];
const TICKET_DIMENSIONS = ['status', 'priority', 'channel', 'organization', 'assignee'];
const TIME_DIMENSIONS = ['priority', 'organization'];
const times = (metric: 'first_response' | 'resolution', title: string, what: string) => ({
  kind: 'quantiles',
  name: `${metric}_times`,
  title,
  collection: 'report_ticket_times',
  date_field: 'day',
  dimensions: TIME_DIMENSIONS,
  filter: { metric: { _eq: metric } },
  measures: ['tickets', 'within_sla', 'with_target'],
  ratios: [{ name: 'sla_compliance', numerator: 'within_sla', denominator: 'with_target' }],
  bucket_field: 'bucket',
  bucket_base: BUCKET_BASE,
  count_field: 'tickets',
  quantiles: [0.5, 0.9],
  unit: 'minutes',
  notes: [
    `Minutes from creation to ${what}, wall-clock (time paused in pending or on hold included), by the day the ticket was created.`,
    'Quantiles are read from histogram buckets of ×1.2: within ±10 %.',
    'sla_compliance: the share of tickets with a due time that met it.',
  ],
});

/** The report definitions (validated by the platform's reports/core/definition.ts: spec/reports/migrate.test.ts). */
export const reportDefinitions = [
  {
    kind: 'sum',
    name: 'ticket_volume',
    title: 'Ticket volume',
    collection: 'report_ticket_counts',
    date_field: 'day',
    dimensions: TICKET_DIMENSIONS,
    measures: ['tickets'],
    notes: ['Tickets by the day they were created, with their current status, priority, channel and assignee.'],
  },
  times('first_response', 'First-response times', 'the first public reply by staff'),
  times('resolution', 'Resolution times', 'solved'),
  {
    kind: 'sum',
    name: 'sla_compliance',
    title: 'SLA compliance',
    collection: 'report_ticket_times',
    date_field: 'day',
    dimensions: TIME_DIMENSIONS,
    split_by: ['metric'],
    measures: ['with_target', 'within_sla'],
    ratios: [{ name: 'sla_compliance', numerator: 'within_sla', denominator: 'with_target' }],
    notes: [
      'Tickets answered (first_response) or solved (resolution) on or before their due time, by creation day.',
      'Tickets not yet answered or solved are not counted, overdue or not: see the backlog.',
    ],
  },
  {
    kind: 'age',
    name: 'backlog',
    title: 'Backlog by age',
    collection: 'report_ticket_counts',
    date_field: 'day',
    dimensions: TICKET_DIMENSIONS,
    filter: { status: { _in: OPEN_STATUSES } },
    measures: ['tickets'],
    age_bounds_days: [1, 3, 7, 30],
    notes: [`Tickets now ${OPEN_STATUSES.join(', ')}, by days since creation; from/to bound the creation day.`],
  },
  {
    kind: 'age',
    name: 'agent_workload',
    title: 'Agent workload',
    collection: 'report_ticket_counts',
    date_field: 'day',
    dimensions: ['status', 'priority', 'organization'],
    split_by: ['assignee'],
    filter: { status: { _in: OPEN_STATUSES } },
    measures: ['tickets'],
    age_bounds_days: [1, 7, 30],
    notes: ['Open tickets per assignee (null: unassigned), by days since creation.'],
  },
  {
    kind: 'sum',
    name: 'csat',
    title: 'Customer satisfaction',
    collection: 'report_ticket_counts',
    date_field: 'day',
    dimensions: TICKET_DIMENSIONS,
    measures: ['csat_count', 'csat_sum', 'csat_1', 'csat_2', 'csat_3', 'csat_4', 'csat_5'],
    ratios: [{ name: 'csat_average', numerator: 'csat_sum', denominator: 'csat_count' }],
    notes: ['Ratings (1 to 5) of tickets by the day they were created; csat_1 … csat_5 is the distribution.'],
  },
];

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    `create unique index if not exists report_ticket_counts_cell on report_ticket_counts
       (day, organization, status, priority, channel, assignee) nulls not distinct`,
  );
  await database.raw(
    `create unique index if not exists report_ticket_times_cell on report_ticket_times
       (day, organization, priority, metric, bucket) nulls not distinct`,
  );
  await database.raw(bucketFunction);
  // Writes wait until the triggers exist and the backfill is done, so no ticket is counted twice or missed.
  await database.raw('lock table tickets in share row exclusive mode');
  for (const { event, referencing, source } of triggers) {
    await database.raw(
      `create or replace function report_tickets_after_${event}() returns trigger language plpgsql as $$
       begin
         ${rollupStatements(source).join(';\n')};
         return null;
       end $$`,
    );
    await database.raw(`drop trigger if exists report_rollup_${event} on tickets`);
    await database.raw(
      `create trigger report_rollup_${event} after ${event} on tickets referencing ${referencing}
         for each statement execute function report_tickets_after_${event}()`,
    );
  }
  await database.raw('delete from report_ticket_counts');
  await database.raw('delete from report_ticket_times');
  for (const statement of rollupStatements(deltaSource([{ table: 'public.tickets', sign: 1 }])))
    await database.raw(statement);
  const counted = (await database.raw('select coalesce(sum(tickets), 0)::int as n from report_ticket_counts')) as {
    rows: Array<{ n: number }>;
  };
  console.log(`reports: rollups backfilled from ${counted.rows[0]!.n} tickets`);

  await database.raw('create schema if not exists groundwork');
  await database.raw(
    'create table if not exists groundwork.report_definitions (name text primary key, definition jsonb not null)',
  );
  for (const definition of reportDefinitions)
    await database.raw(
      `insert into groundwork.report_definitions (name, definition) values (?, ?::jsonb)
         on conflict (name) do update set definition = excluded.definition`,
      [definition.name, JSON.stringify(definition)],
    );
  console.log(`reports: ${reportDefinitions.length} report definitions`);
}

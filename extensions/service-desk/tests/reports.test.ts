// Issue 12 (Reports, decision 0044): GET /groundwork/v1/reports/:report over the service desk's rollups, as every
// role, over HTTP on the real Directus, and the rollups themselves: after inserts, updates (status, reassignment,
// rating, first response), a multi-row update and deletes they equal the naive GROUP BY over tickets.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { createDesk, type Desk } from './fixtures.js';
import { call } from './fixtures.js';
import { harness } from '../../../tests/integration/harness/context.js';

let desk: Desk;
type Row = Record<string, string | number | null>;
interface ReportBody {
  data: Row[];
  meta: { report: string; freshness: string; as_of: string; from: string | null; to: string; group_by: string | null };
}

const COUNT_KEYS = 'day, organization, status, priority, channel, assignee';
const COUNT_MEASURES = ['tickets', 'csat_count', 'csat_sum', 'csat_1', 'csat_2', 'csat_3', 'csat_4', 'csat_5'];

/** The rollups, without the cells that went back to zero. */
async function rollups(sql: Knex) {
  const counts = await sql.raw(
    `select day::text, organization, status, priority, channel, assignee, ${COUNT_MEASURES.join(', ')}
       from report_ticket_counts where ${COUNT_MEASURES.map((m) => `${m} <> 0`).join(' or ')}
      order by ${COUNT_KEYS}`,
  );
  const times = await sql.raw(
    `select day::text, organization, priority, metric, bucket, tickets, within_sla, with_target
       from report_ticket_times where tickets <> 0 or within_sla <> 0 or with_target <> 0
      order by day, organization, priority, metric, bucket`,
  );
  return { counts: counts.rows as Row[], times: times.rows as Row[] };
}

/** The same figures the slow way: GROUP BY over tickets, written independently of the migration's SQL. */
async function naive(sql: Knex) {
  const counts = await sql.raw(
    `select (date_created at time zone 'UTC')::date::text as day, organization, status, priority, channel, assignee,
            count(*)::int as tickets, count(satisfaction)::int as csat_count, coalesce(sum(satisfaction), 0)::int as csat_sum,
            ${[1, 2, 3, 4, 5].map((n) => `count(*) filter (where satisfaction = ${n})::int as csat_${n}`).join(', ')}
       from tickets group by 1, 2, 3, 4, 5, 6 order by ${COUNT_KEYS}`,
  );
  const metric = (name: string, ended: string, due: string) => `
    select (date_created at time zone 'UTC')::date::text as day, organization, priority, '${name}' as metric,
           floor(ln(greatest(extract(epoch from ${ended} - date_created) / 60, 0) + 1) / ln(1.2))::int as bucket,
           count(*)::int as tickets, count(*) filter (where ${ended} <= ${due})::int as within_sla,
           count(${due})::int as with_target
      from tickets where ${ended} is not null and date_created is not null group by 1, 2, 3, 4, 5`;
  const times = await sql.raw(
    `select * from (${metric('first_response', 'first_responded_at', 'first_response_due_at')}
       union all ${metric('resolution', 'solved_at', 'resolution_due_at')}) as t
      order by day, organization, priority, metric, bucket`,
  );
  return { counts: counts.rows as Row[], times: times.rows as Row[] };
}

const numeric = (rows: Row[]) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'day' ? Number(v) : v,
      ]),
    ),
  );

async function expectRollupsEqualNaive() {
  // One snapshot for both: other test files write tickets on the same instance meanwhile.
  const [ours, theirs] = await desk.db.transaction(async (trx) => [await rollups(trx), await naive(trx)], {
    isolationLevel: 'repeatable read',
  });
  expect(numeric(ours.counts)).toEqual(numeric(theirs.counts));
  expect(numeric(ours.times)).toEqual(numeric(theirs.times));
}

async function ticket(fields: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await desk.db('tickets').insert({
    id,
    subject: `report ${desk.run}`,
    status: 'open',
    priority: 'normal',
    channel: 'email',
    organization: desk.org.id,
    requester: desk.users.customer.id,
    // Directus stamps date_created; a plain insert must too (a ticket without one is in no period).
    date_created: desk.db.raw('now()'),
    ...fields,
  });
  return id;
}

async function report(token: string, name: string, params: Record<string, string> = {}) {
  const response = await call(token, 'GET', `/groundwork/v1/reports/${name}?${new URLSearchParams(params)}`);
  return { status: response.status, body: response.body as unknown as ReportBody, text: response.text };
}
async function rows(token: string, name: string, params: Record<string, string> = {}) {
  const response = await report(token, name, params);
  if (response.status !== 200) throw new Error(`${name}: ${response.status} ${response.text}`);
  return response.body;
}
const total = (data: Row[], measure = 'tickets') => data.reduce((sum, row) => sum + Number(row[measure] ?? 0), 0);

const ids: string[] = [];
beforeAll(async () => {
  desk = await createDesk('reports');
  const minutesAgo = (n: number) => desk.db.raw(`now() - make_interval(mins => ?)`, [n]);
  ids.push(await ticket({ priority: 'high', satisfaction: 5 }));
  ids.push(await ticket({ status: 'new', channel: 'phone' }));
  ids.push(
    await ticket({
      status: 'solved',
      assignee: desk.users.agent.id,
      date_created: minutesAgo(600),
      first_responded_at: minutesAgo(590),
      solved_at: minutesAgo(100),
      satisfaction: 2,
    }),
  );
  ids.push(await ticket({ organization: desk.otherOrg.id, priority: 'urgent', satisfaction: 1 }));
  ids.push(await ticket({ organization: desk.otherOrg.id, assignee: desk.users.agent2.id }));
}, 120_000);

afterAll(async () => {
  await desk?.db.destroy();
});

describe('rollups', () => {
  it('equal the naive GROUP BY after inserts', async () => {
    await expectRollupsEqualNaive();
  });

  it('equal it after a status change, a reassignment, a rating and a first response', async () => {
    // The workflow's trigger takes the actor from user_updated: a manager's move.
    const byManager = { user_updated: desk.users.manager.id };
    await desk
      .db('tickets')
      .where({ id: ids[0] })
      .update({ status: 'pending', ...byManager });
    await desk
      .db('tickets')
      .where({ id: ids[1] })
      .update({ assignee: desk.users.agent2.id, status: 'open', ...byManager });
    await desk.db('tickets').where({ id: ids[2] }).update({ satisfaction: 4 });
    await desk
      .db('tickets')
      .where({ id: ids[3] })
      .update({ first_responded_at: desk.db.raw('now()') });
    await desk.db('tickets').where({ id: ids[4] }).update({ subject: 'a change no report counts' });
    await expectRollupsEqualNaive();
  });

  it('equal it after a reassignment over HTTP, a multi-row update and a rollback', async () => {
    const patched = await call(desk.users.agent.token, 'PATCH', `/items/tickets/${ids[4]}`, {
      assignee: desk.users.agent.id,
    });
    expect(patched.status).toBe(200);
    await desk.db('tickets').whereIn('id', ids).update({ priority: 'low' });
    await desk.db
      .transaction(async (trx) => {
        await trx('tickets').whereIn('id', ids).update({ channel: 'chat', satisfaction: 3 });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await expectRollupsEqualNaive();
  });

  it('equal it after deletes', async () => {
    await desk.db('tickets').where({ id: ids.pop() }).delete();
    await expectRollupsEqualNaive();
  });
});

describe('GET /groundwork/v1/reports/:report', () => {
  it('gives every report to a manager, with how fresh the figures are', async () => {
    for (const name of [
      'ticket_volume',
      'first_response_times',
      'resolution_times',
      'sla_compliance',
      'backlog',
      'agent_workload',
      'csat',
    ]) {
      const body = await rows(desk.users.manager.token, name);
      expect(body.meta).toMatchObject({ report: name, freshness: 'transactional' });
      expect(Date.now() - Date.parse(body.meta.as_of)).toBeLessThan(60_000);
    }
  });

  it('counts both organizations for staff and only their own for a customer', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const body = await rows(desk.users[role].token, 'ticket_volume', { group_by: 'organization' });
      const orgs = body.data.map((row) => row.organization);
      expect(orgs).toEqual(expect.arrayContaining([desk.org.id, desk.otherOrg.id]));
    }
    const own = await rows(desk.users.customer.token, 'ticket_volume', { group_by: 'organization' });
    expect(new Set(own.data.map((row) => row.organization))).toEqual(new Set([desk.org.id]));
    expect(total(own.data)).toBe(3);
    const other = await rows(desk.users.outsider.token, 'ticket_volume', { group_by: 'organization' });
    expect(new Set(other.data.map((row) => row.organization))).toEqual(new Set([desk.otherOrg.id]));
    expect(total(other.data)).toBe(1);
    for (const name of [
      'csat',
      'first_response_times',
      'resolution_times',
      'sla_compliance',
      'backlog',
      'agent_workload',
    ]) {
      const body = await rows(desk.users.outsider.token, name, { group_by: 'organization' });
      expect(body.data.every((row) => row.organization === desk.otherOrg.id)).toBe(true);
    }
  });

  it('sums the figures the tickets give', async () => {
    const csat = await rows(desk.users.customer.token, 'csat');
    expect(total(csat.data, 'csat_count')).toBe(2);
    expect(total(csat.data, 'csat_sum')).toBe(9);
    const resolution = await rows(desk.users.customer.token, 'resolution_times');
    expect(resolution.data).toHaveLength(1);
    // 500 minutes, read from its ×1.2 bucket: within 10 %.
    expect(Math.abs(Number(resolution.data[0]!.p50_minutes) - 500)).toBeLessThan(50);
    const weekly = await rows(desk.users.customer.token, 'ticket_volume', { interval: 'week', group_by: 'status' });
    expect(total(weekly.data)).toBe(3);
    // Weekly rows are grouped in SQL by the date's year, month and ISO week: the same figures as the daily rows put
    // in their ISO week (its Monday) by hand, for the resolution times as well.
    for (const name of ['ticket_volume', 'resolution_times']) {
      const params = { from: new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10), group_by: 'priority' };
      const [daily, byWeek] = [
        await rows(desk.users.manager.token, name, params),
        await rows(desk.users.manager.token, name, { ...params, interval: 'week' }),
      ];
      const monday = (day: string) => {
        const time = Date.parse(`${day}T00:00:00Z`);
        return new Date(time - ((new Date(time).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
      };
      const summed = (data: Row[], week: (period: string) => string) => {
        const sums = new Map<string, number>();
        for (const row of data) {
          const key = `${week(String(row.period))} ${String(row.priority)}`;
          sums.set(key, (sums.get(key) ?? 0) + Number(row.tickets));
        }
        return [...sums.entries()].sort();
      };
      expect({ name, weeks: summed(byWeek.data, (period) => period) }).toEqual({
        name,
        weeks: summed(daily.data, monday),
      });
      expect(byWeek.data.length).toBeGreaterThan(0);
    }
  });

  it('refuses the roles without a rollup permission', async () => {
    expect((await report(desk.users.editor.token, 'ticket_volume')).status).toBe(403);
    expect((await call('', 'GET', '/groundwork/v1/reports/ticket_volume')).status).toBe(401);
  });

  it('answers bad input with 400 and an unknown report with 404', async () => {
    const token = desk.users.manager.token;
    for (const params of <Array<Record<string, string>>>[
      { interval: 'month' },
      { from: '2026-02-30' },
      { from: 'yesterday' },
      { group_by: 'subject' },
      { from: '2026-12-03', to: '2026-12-01' },
      { format: 'pdf' },
      { colour: 'red' },
    ]) {
      const response = await report(token, 'ticket_volume', params);
      expect([params, response.status]).toEqual([params, 400]);
      expect(response.text).not.toMatch(/ at .*\.js/);
    }
    expect((await report(token, 'nothing_here')).status).toBe(404);
    expect((await report(token, 'Bad-Name')).status).toBe(400);
  });

  it('writes CSV', async () => {
    const response = await call(
      desk.users.customer.token,
      'GET',
      '/groundwork/v1/reports/ticket_volume?format=csv&group_by=status',
    );
    expect(response.status).toBe(200);
    expect(response.text.split('\n')[0]).toBe('period,status,tickets');
    expect(response.text.trim().split('\n').length).toBeGreaterThan(1);
  });

  it('writes XLSX: the same rows, numbers as numbers', async () => {
    const response = await fetch(
      `${harness().baseUrl}/groundwork/v1/reports/ticket_volume?format=xlsx&group_by=status`,
      { headers: { authorization: `Bearer ${desk.users.customer.token}` } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    expect(response.headers.get('x-report-as-of')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await response.arrayBuffer()) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const cells: unknown[][] = [];
    sheet.eachRow((row) => cells.push((row.values as unknown[]).slice(1)));
    expect(cells[0]).toEqual(['period', 'status', 'tickets']);
    const json = await rows(desk.users.customer.token, 'ticket_volume', { group_by: 'status' });
    expect(cells.slice(1)).toEqual(json.data.map((row) => [row.period, row.status, row.tickets]));
    expect(cells.slice(1).every((row) => typeof row[2] === 'number')).toBe(true);
  });
});

describe('report filters (organization, priority, channel, ...)', () => {
  // The tests above move and delete tickets: the expected figures are read from the tickets themselves.
  const ticketCount = async (where: Record<string, string>, priorities: string[]) =>
    Number(
      (
        await desk.db('tickets').where(where).whereIn('priority', priorities).count<{ count: string }[]>('* as count')
      )[0]!.count,
    );
  const filtered = (token: string, name: string, filter: Record<string, string>, extra: Record<string, string> = {}) =>
    rows(token, name, {
      ...extra,
      ...Object.fromEntries(Object.entries(filter).map(([key, value]) => [`filter[${key}]`, value])),
    });

  it('narrows staff reports to the values asked for', async () => {
    for (const role of ['manager', 'agent'] as const) {
      const token = desk.users[role].token;
      const own = await filtered(token, 'ticket_volume', { organization: desk.org.id }, { group_by: 'organization' });
      expect(new Set(own.data.map((row) => row.organization))).toEqual(new Set([desk.org.id]));
      expect(total(own.data)).toBe(3);
      const high = await filtered(token, 'ticket_volume', { organization: desk.org.id, priority: 'high,urgent' });
      expect(total(high.data)).toBe(await ticketCount({ organization: desk.org.id }, ['high', 'urgent']));
      expect(total(high.data)).toBeLessThan(3);
      const phone = await filtered(token, 'ticket_volume', { organization: desk.org.id, channel: 'phone' });
      expect(total(phone.data)).toBe(1);
      const urgent = await filtered(token, 'ticket_volume', { organization: desk.otherOrg.id, priority: 'urgent' });
      expect(total(urgent.data)).toBe(await ticketCount({ organization: desk.otherOrg.id }, ['urgent']));
    }
  });

  it("never widens what a customer sees: another organization's filter sums nothing", async () => {
    const customer = desk.users.customer.token;
    const other = await filtered(customer, 'ticket_volume', { organization: desk.otherOrg.id });
    expect(other.data).toEqual([]);
    const urgent = await filtered(customer, 'ticket_volume', { priority: 'urgent' });
    expect(urgent.data).toEqual([]);
    const phone = await filtered(customer, 'ticket_volume', { channel: 'phone' });
    expect(total(phone.data)).toBe(1);
    const outsider = await filtered(desk.users.outsider.token, 'csat', { priority: 'urgent' });
    const rated = await desk
      .db('tickets')
      .where({ organization: desk.otherOrg.id, priority: 'urgent' })
      .whereNotNull('satisfaction')
      .count<{ count: string }[]>('* as count');
    expect(total(outsider.data, 'csat_count')).toBe(Number(rated[0]!.count));
    expect(outsider.meta).toMatchObject({ report: 'csat' });
  });

  it('refuses the roles without a rollup permission, filter or not', async () => {
    const response = await report(desk.users.editor.token, 'ticket_volume', { 'filter[priority]': 'high' });
    expect(response.status).toBe(403);
  });

  it('answers a filter on a field that is not a dimension, or a bad value, with 400', async () => {
    for (const params of <Array<Record<string, string>>>[
      { 'filter[subject]': 'x' },
      { 'filter[day]': '2026-12-01' },
      { 'filter[tickets]': '1' },
      { 'filter[organization]': 'not-a-uuid' },
      { 'filter[assignee]': "1' or '1'='1" },
      { 'filter[priority]': 'high,,urgent' },
      { filter: 'priority' },
    ]) {
      const response = await report(desk.users.manager.token, 'ticket_volume', params);
      expect([params, response.status]).toEqual([params, 400]);
      expect(response.text).not.toMatch(/ at .*\.js/);
    }
    const metric = await report(desk.users.manager.token, 'first_response_times', { 'filter[channel]': 'email' });
    expect(metric.status).toBe(400);
  });
});

describe('report date ranges', () => {
  it('count only the days from `from` to `to`: a ticket created before `from` is in no figure', async () => {
    // Directus applies only the first operator of a field's filter object: `{ _lte, _gte }` once dropped `from`.
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const totals = async () =>
      Promise.all(
        ['ticket_volume', 'csat'].flatMap((name) =>
          [daysAgo(10), daysAgo(60)].map(async (from) => {
            const body = await rows(desk.users.manager.token, name, { from, interval: 'week' });
            return total(body.data, name === 'csat' ? 'csat_count' : 'tickets');
          }),
        ),
      );
    const before = await totals();
    const old = await ticket({ satisfaction: 4, date_created: desk.db.raw(`now() - interval '40 days'`) });
    try {
      const after = await totals();
      // [volume from 10 days ago, volume from 60 days ago, CSAT from 10, CSAT from 60]
      expect(after).toEqual([before[0], before[1]! + 1, before[2], before[3]! + 1]);
    } finally {
      await desk.db('tickets').where({ id: old }).delete();
    }
  });
});

// Decision 0060: the export's fast read path (one cursor over Directus's own root query, each batch finished by
// runAst's own steps) gives exactly the rows GET /items gives the same caller. A differential test: for every role
// and a set of queries (plain fields, m2o fields two levels deep, relational filters, sorts, limits), the export's
// NDJSON equals /items?limit=-1's data, and the response says which path served it (so the comparison cannot
// silently compare ItemsService with itself). Rows include internal notes (customers never get them), related rows
// the caller cannot read (null), and fields that vary per row (a second policy that shows some fields on more rows).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { harness } from '../../../tests/integration/harness/context.js';
import { mintApiKey } from '../../../tests/integration/http.js';
import { POLICY } from '../spec/service-desk/access.js';
import { asAdmin, call, createDesk, type Desk } from './fixtures.js';

let desk: Desk;
const tokens: Record<string, string> = {};
const bulkOrg = { id: '' };
const ticketIds = { own: '', foreign: '' };

async function exportOf(token: string, collection: string, params: Record<string, string>, signal?: AbortSignal) {
  const response = await fetch(
    `${harness().baseUrl}/groundwork/v1/exports/${collection}?${new URLSearchParams({ ...params, format: 'ndjson' })}`,
    { headers: { authorization: `Bearer ${token}` }, ...(signal ? { signal } : {}) },
  );
  const text = await response.text();
  const rows =
    response.status === 200
      ? text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
      : null;
  return { status: response.status, path: response.headers.get('x-groundwork-export-read'), rows };
}
async function itemsOf(token: string, collection: string, params: Record<string, string>) {
  const response = await call(token, 'GET', `/items/${collection}?${new URLSearchParams({ limit: '-1', ...params })}`);
  return { status: response.status, rows: response.status === 200 ? (response.body.data as unknown[]) : null };
}

/** Every row of /items for the query, in pages of the harness's QUERY_LIMIT_MAX (500), in the query's sort. */
async function itemsPaged(token: string, collection: string, params: Record<string, string>) {
  const rows: unknown[] = [];
  for (let page = 1; ; page++) {
    const response = await call(
      token,
      'GET',
      `/items/${collection}?${new URLSearchParams({ ...params, limit: '500', page: String(page) })}`,
    );
    if (response.status !== 200) throw new Error(`/items answered ${response.status}`);
    const data = response.body.data as unknown[];
    rows.push(...data);
    if (data.length < 500) return rows;
  }
}

beforeAll(async () => {
  desk = await createDesk('exports-sql');
  for (const [role, login] of Object.entries(desk.users)) tokens[role] = login.token;
  tokens.admin = desk.admin;
  tokens.integration = (await mintApiKey(desk.admin, POLICY.integration, { name: `exports-sql ${desk.run}` })).key;

  // Fields that vary per row: the second customer also holds a policy that shows id, subject and status of every
  // open ticket, so on other organizations' open tickets the rest of their fields are NULL (Directus's CASE WHEN).
  const peek = await asAdmin<{ id: string }>(desk, 'POST', '/policies', {
    name: `Peek ${desk.run}`,
    app_access: false,
  });
  await asAdmin(desk, 'POST', '/permissions', {
    policy: peek.id,
    collection: 'tickets',
    action: 'read',
    fields: ['id', 'subject', 'status'],
    permissions: { status: { _eq: 'open' } },
  });
  await asAdmin(desk, 'PATCH', `/users/${desk.users.outsider.id}`, { policies: { create: [{ policy: peek.id }] } });

  const ticket = async (row: Record<string, unknown>) => {
    const id = randomUUID();
    await desk.db('tickets').insert({ id, priority: 'normal', ...row });
    return id;
  };
  const own = (ticketIds.own = await ticket({
    subject: `Mine ${desk.run}`,
    status: 'open',
    organization: desk.org.id,
    requester: desk.users.customer.id,
    assignee: desk.users.agent.id,
    tags: JSON.stringify(['billing', 'vip']),
    satisfaction: 4,
  }));
  await ticket({
    subject: `Mine pending ${desk.run}`,
    status: 'pending',
    organization: desk.org.id,
    requester: desk.users.outsider.id,
    first_responded_at: new Date('2026-01-02T03:04:05.678Z'),
  });
  const foreign = (ticketIds.foreign = await ticket({
    subject: `Elsewhere ${desk.run}`,
    status: 'open',
    organization: desk.otherOrg.id,
    requester: desk.users.outsider.id,
    assignee: desk.users.agent2.id,
  }));
  await ticket({ subject: `Elsewhere solved ${desk.run}`, status: 'solved', organization: desk.otherOrg.id });
  await desk.db('ticket_messages').insert([
    { id: randomUUID(), ticket: own, body: 'Staff only', internal: true, author: desk.users.agent.id },
    { id: randomUUID(), ticket: own, body: 'Public reply', internal: false, author: desk.users.customer.id },
    { id: randomUUID(), ticket: foreign, body: 'Other org', internal: false },
    { id: randomUUID(), ticket: foreign, body: 'Other org, staff only', internal: true },
  ]);

  // More rows than one batch (10,000), so the cursor's FETCHes after the first batch are compared too.
  const bulk = await asAdmin<{ id: string }>(desk, 'POST', '/items/organizations', {
    name: `Bulk ${desk.run}`,
    domain: `bulk-${desk.run}.example.com`,
  });
  bulkOrg.id = bulk.id;
  await desk.db.raw(
    `insert into tickets (id, subject, status, priority, organization, requester)
     select gen_random_uuid(), 'Bulk ' || n, case when n % 3 = 0 then 'open' else 'pending' end, 'normal', ?, ?
     from generate_series(1, 10050) as n`,
    [bulk.id, desk.users.agent.id],
  );
}, 300_000);
afterAll(async () => {
  await desk?.db.destroy();
});

const ROLES = ['admin', 'manager', 'agent', 'editor', 'customer', 'outsider', 'integration'] as const;
const deskOrgs = () => ({ organization: { _in: [desk.org.id, desk.otherOrg.id] } });

/** Queries the fast path serves, each compared with /items for every role. */
const QUERIES: Array<[string, string, () => Record<string, string>]> = [
  [
    'plain fields, sorted',
    'tickets',
    () => ({
      fields: 'id,number,subject,status,tags,satisfaction,first_responded_at,date_created',
      filter: JSON.stringify(deskOrgs()),
      sort: 'subject',
    }),
  ],
  [
    'every column (*)',
    'tickets',
    () => ({ fields: '*', filter: JSON.stringify(deskOrgs()), sort: '-date_created,id' }),
  ],
  [
    'm2o fields',
    'tickets',
    () => ({
      fields: 'id,subject,organization.name,organization.domain,requester.email,assignee.email',
      filter: JSON.stringify(deskOrgs()),
      sort: 'subject',
    }),
  ],
  [
    'a relational filter and a relational sort',
    'tickets',
    () => ({
      fields: 'id,subject,organization.*',
      filter: JSON.stringify({ organization: { name: { _in: [`Org ${desk.run}`, `Other ${desk.run}`] } } }),
      sort: '-organization.name,subject',
    }),
  ],
  [
    'a limit',
    'tickets',
    () => ({ fields: 'id,subject,status', filter: JSON.stringify(deskOrgs()), sort: 'subject', limit: '2' }),
  ],
  [
    'messages with internal notes, m2o two levels deep',
    'ticket_messages',
    () => ({
      fields: 'id,body,author.email,ticket.subject,ticket.organization.name',
      filter: JSON.stringify({ ticket: { organization: { _in: [desk.org.id, desk.otherOrg.id] } } }),
      sort: 'body',
    }),
  ],
  [
    'a field some roles may not read',
    'ticket_messages',
    () => ({
      fields: 'id,body,internal',
      filter: JSON.stringify({ ticket: { organization: { _in: [desk.org.id, desk.otherOrg.id] } } }),
      sort: 'body',
    }),
  ],
  // Filtered on a field every policy shows (a filter on one only some policies show is refused, as /items does), so
  // the second customer gets rows whose fields vary per row.
  [
    'fields that vary per row',
    'tickets',
    () => ({
      fields: 'id,subject,status,priority,organization.name',
      filter: JSON.stringify({ subject: { _contains: desk.run } }),
      sort: 'subject',
    }),
  ],
];

describe('the fast path gives what GET /items gives', () => {
  const cases = QUERIES.flatMap(([name, collection, params]) =>
    ROLES.map((role) => [name, role, collection, params] as const),
  );
  it.each(cases)('%s, as %s', async (name, role, collection, params) => {
    const query = params();
    const [ours, theirs] = await Promise.all([
      exportOf(tokens[role]!, collection, query),
      itemsOf(tokens[role]!, collection, query),
    ]);
    expect(ours.status).toBe(theirs.status);
    expect(ours.rows).toEqual(theirs.rows);
    // Staff may read the tickets' o2m alias fields, which `*` then includes: ItemsService reads those.
    const throughItems = name === 'every column (*)' && ['admin', 'manager', 'agent'].includes(role);
    if (ours.status === 200) expect(ours.path).toBe(throughItems ? 'items' : 'sql');
  });

  it('holds internal notes back from customers and NULLs fields per row, as /items does', async () => {
    const query = {
      fields: 'id,body,ticket.subject',
      filter: JSON.stringify({ ticket: { _in: [ticketIds.own, ticketIds.foreign] } }),
      sort: 'body',
    };
    const customer = await exportOf(tokens.customer!, 'ticket_messages', query);
    expect(customer.rows!.map((row) => row.body)).toEqual(['Public reply']);
    const agent = await exportOf(tokens.agent!, 'ticket_messages', query);
    expect(agent.rows!.map((row) => row.body)).toContain('Staff only');
    // The second customer: their own organization's tickets in full, other open ones with only the peek fields.
    const outsider = await exportOf(tokens.outsider!, 'tickets', QUERIES[QUERIES.length - 1]![2]());
    expect(outsider.status).toBe(200);
    expect(outsider.path).toBe('sql');
    const foreignOpen = outsider.rows!.find((row) => row.subject === `Mine ${desk.run}`)!;
    expect(foreignOpen).toMatchObject({ status: 'open', priority: null });
    expect(outsider.rows!.find((row) => row.subject === `Elsewhere ${desk.run}`)!.priority).toBe('normal');
    // The other organization's pending ticket is not open: the peek policy does not reach it at all.
    expect(outsider.rows!.map((row) => row.subject)).not.toContain(`Mine pending ${desk.run}`);
  });

  it('reads through ItemsService what it cannot prove equal (o2m, functions)', async () => {
    for (const params of [
      { fields: 'id,subject,messages.body', filter: JSON.stringify(deskOrgs()), sort: 'subject' },
      { fields: 'id,year(date_created)', filter: JSON.stringify(deskOrgs()), sort: 'subject' },
    ]) {
      const [ours, theirs] = await Promise.all([
        exportOf(tokens.manager!, 'tickets', params),
        itemsOf(tokens.manager!, 'tickets', params),
      ]);
      expect(ours.status).toBe(theirs.status);
      expect(ours.rows).toEqual(theirs.rows);
      if (ours.status === 200) expect(ours.path).toBe('items');
    }
  });
});

describe('more rows than one batch', () => {
  const bulk = () => ({
    fields: 'id,number,subject,status,organization.name,requester.email,date_created',
    filter: JSON.stringify({ organization: { _eq: bulkOrg.id } }),
    sort: 'subject',
  });
  const openFilter = () =>
    JSON.stringify({ _and: [{ organization: { _eq: bulkOrg.id } }, { status: { _eq: 'open' } }] });
  const variants: Array<[string, () => Record<string, string>]> = [
    ['every row', () => ({})],
    ['a filter', () => ({ filter: openFilter() })],
  ];
  it.each(variants)(
    '%s, as a manager and an agent',
    async (_name, extra) => {
      for (const role of ['manager', 'agent']) {
        const query = { ...bulk(), ...extra() };
        const [ours, theirs] = await Promise.all([
          exportOf(tokens[role]!, 'tickets', query),
          // The export's sort gets the primary key as tie-breaker; /items is paged by the same total order.
          itemsPaged(tokens[role]!, 'tickets', { ...query, sort: `${query.sort},id` }),
        ]);
        expect(ours.path).toBe('sql');
        expect(ours.rows!.length).toBe(theirs.length);
        expect(ours.rows!.length).toBeGreaterThan(3000);
        expect(ours.rows).toEqual(theirs);
      }
    },
    120_000,
  );

  it('ends the cursor and its transaction when the client leaves', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${harness().baseUrl}/groundwork/v1/exports/tickets?${new URLSearchParams({ ...bulk(), format: 'ndjson' })}`,
      { headers: { authorization: `Bearer ${tokens.manager}` }, signal: controller.signal },
    );
    expect(response.headers.get('x-groundwork-export-read')).toBe('sql');
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    // No session is left inside the export's transaction (idle in it, or still fetching from its cursor).
    let open = 1;
    for (let attempt = 0; attempt < 50 && open > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { rows } = await desk.db.raw(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and state like 'idle in transaction%' and query like 'fetch % from groundwork_export_%'`,
      );
      open = rows[0].n;
    }
    expect(open).toBe(0);
  }, 60_000);
});

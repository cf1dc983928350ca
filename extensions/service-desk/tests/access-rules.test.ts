// Row- and field-level rules of the service desk, attacked over REST, GraphQL and CSV export on the main test
// instance (migrated to the latest version). Two organizations, a customer in each and an agent; every ticket and
// message carries a unique marker, and a customer's response must contain no marker of the other organization's
// rows and none of any internal note. Each attempt is counted and the totals are printed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROLE } from '../spec/service-desk/access.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { adminToken, getJson } from '../../../tests/integration/http.js';

const TICKETS_PER_ORG = 6;
const run = randomBytes(4).toString('hex');

interface Tenant {
  key: 'a' | 'b';
  org: { id: string; name: string };
  customer: { id: string; email: string; token: string };
  tickets: Array<{ id: string; number: string; subject: string }>;
  publicMessages: Array<{ id: string; body: string }>;
  internalMessages: Array<{ id: string; body: string }>;
}

const tally = { crossTenant: 0, allowed: 0, forbiddenWrites: 0 };
let admin: string;
let agentToken: string;
const tenants: Record<'a' | 'b', Tenant> = {} as Record<'a' | 'b', Tenant>;

async function call(token: string, method: string, route: string, body?: unknown) {
  return getJson(`${harness().baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function asAdmin<T = Record<string, unknown>>(method: string, route: string, body?: unknown): Promise<T> {
  const response = await call(admin, method, route, body);
  if (response.status !== 200) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

async function login(email: string, password: string): Promise<string> {
  const response = await getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return (response.body.data as { access_token: string }).access_token;
}

async function createTenant(key: 'a' | 'b', agentId: string): Promise<Tenant> {
  const org = await asAdmin<{ id: string; name: string }>('POST', '/items/organizations', {
    name: `Org ${key.toUpperCase()} ${run}`,
    domain: `${key}-${run}.example.com`,
  });
  const email = `customer-${key}-${run}@${key}-${run}.example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await asAdmin<{ id: string }>('POST', '/users', {
    email,
    password,
    role: ROLE.customer,
    organization: org.id,
  });
  const tickets = [];
  const publicMessages = [];
  const internalMessages = [];
  for (let i = 0; i < TICKETS_PER_ORG; i += 1) {
    const ticket = await asAdmin<{ id: string; number: string; subject: string }>('POST', '/items/tickets', {
      subject: `ticket-${key}-${i}-${run}`,
      description: `description-${key}-${i}-${run}`,
      organization: org.id,
      requester: user.id,
      priority: 'high',
    });
    tickets.push(ticket);
    publicMessages.push(
      await asAdmin<{ id: string; body: string }>('POST', '/items/ticket_messages', {
        ticket: ticket.id,
        author: agentId,
        body: `public-${key}-${i}-${run}`,
      }),
    );
    internalMessages.push(
      await asAdmin<{ id: string; body: string }>('POST', '/items/ticket_messages', {
        ticket: ticket.id,
        author: agentId,
        body: `internal-${key}-${i}-${run}`,
        internal: true,
      }),
    );
  }
  return {
    key,
    org,
    customer: { id: user.id, email, token: await login(email, password) },
    tickets,
    publicMessages,
    internalMessages,
  };
}

/** What a customer of `own` must never see: the other organization's rows and every internal note. */
function secretsFor(own: Tenant, other: Tenant): string[] {
  return [
    other.org.id,
    other.org.name,
    ...other.tickets.flatMap((ticket) => [ticket.id, ticket.number, ticket.subject]),
    ...other.publicMessages.flatMap((message) => [message.id, message.body]),
    ...[...own.internalMessages, ...other.internalMessages].flatMap((message) => [message.id, message.body]),
  ];
}

/** A read by a customer that aims at the other tenant: no secret in the answer, whatever its status. */
async function probe(own: Tenant, other: Tenant, route: string, options: { echo?: string[]; graphql?: string } = {}) {
  const response = options.graphql
    ? await call(own.customer.token, 'POST', '/graphql', { query: options.graphql })
    : await call(own.customer.token, 'GET', route);
  // A value the request itself carries may come back in an error message; it is not a leak of data.
  const leaked = secretsFor(own, other).filter(
    (secret) => !options.echo?.includes(secret) && response.text.includes(secret),
  );
  tally.crossTenant += 1;
  expect([route || options.graphql, response.status < 500, leaked]).toEqual([route || options.graphql, true, []]);
  return response;
}

const dataOf = (response: { body: Record<string, unknown> }) => response.body.data as Array<Record<string, unknown>>;

beforeAll(async () => {
  admin = await adminToken();
  const agentPassword = `pw-${randomBytes(8).toString('hex')}`;
  const agent = await asAdmin<{ id: string }>('POST', '/users', {
    email: `agent-${run}@desk.example.com`,
    password: agentPassword,
    role: ROLE.agent,
  });
  agentToken = await login(`agent-${run}@desk.example.com`, agentPassword);
  tenants.a = await createTenant('a', agent.id);
  tenants.b = await createTenant('b', agent.id);
});

afterAll(() => {
  console.log(
    `access rules: ${tally.crossTenant} cross-tenant attempts (0 leaks), ${tally.allowed} allowed reads, ` +
      `${tally.forbiddenWrites} forbidden writes refused`,
  );
});

describe('ticket numbers', () => {
  it('are given by the database, SD- and increasing', () => {
    const numbers = [...tenants.a.tickets, ...tenants.b.tickets].map((ticket) => ticket.number);
    for (const number of numbers) expect(number).toMatch(/^SD-\d{4,}$/);
    const values = numbers.map((number) => Number(number.slice(3)));
    expect(values).toEqual([...values].sort((x, y) => x - y));
    expect(new Set(values).size).toBe(values.length);
  });
});

describe.each(['a', 'b'] as const)('customer of organization %s', (key) => {
  const own = () => tenants[key];
  const other = () => tenants[key === 'a' ? 'b' : 'a'];

  it("reads exactly their organization's tickets and public messages", async () => {
    const tickets = dataOf(await probe(own(), other(), '/items/tickets?limit=-1&fields=id,number,organization'));
    expect(tickets.map((row) => row.id).sort()).toEqual(
      own()
        .tickets.map((ticket) => ticket.id)
        .sort(),
    );
    expect(new Set(tickets.map((row) => row.organization))).toEqual(new Set([own().org.id]));
    const messages = dataOf(await probe(own(), other(), '/items/ticket_messages?limit=-1&fields=id'));
    expect(messages.map((row) => row.id).sort()).toEqual(
      own()
        .publicMessages.map((message) => message.id)
        .sort(),
    );
    const ticket = await call(own().customer.token, 'GET', `/items/tickets/${own().tickets[0]!.id}`);
    expect(ticket.status).toBe(200);
    const organization = await call(own().customer.token, 'GET', `/items/organizations/${own().org.id}`);
    expect(organization.status).toBe(200);
    tally.allowed += 4;
  });

  it('cannot reach the other organization through REST lists, filters, search, relations and aggregates', async () => {
    const them = other();
    const routes = [
      '/items/tickets?limit=-1',
      '/items/tickets?fields=*.*',
      '/items/tickets?fields=*.*.*',
      `/items/tickets?filter[organization][_eq]=${them.org.id}`,
      `/items/tickets?filter[organization][name][_eq]=${encodeURIComponent(them.org.name)}`,
      `/items/tickets?filter[organization][_neq]=${own().org.id}`,
      '/items/tickets?filter[_or][0][organization][_null]=true&filter[_or][1][organization][_nnull]=true',
      `/items/tickets?search=${encodeURIComponent(them.org.name)}`,
      '/items/tickets?aggregate[count]=*&groupBy[]=organization',
      '/items/tickets?aggregate[countDistinct]=id&groupBy[]=status',
      '/items/tickets?sort=-date_created&limit=500&offset=0',
      '/items/ticket_messages?limit=-1',
      '/items/ticket_messages?fields=*.*.*',
      '/items/ticket_messages?filter[internal][_eq]=true',
      `/items/ticket_messages?filter[ticket][organization][_eq]=${them.org.id}`,
      '/items/ticket_messages?search=internal',
      '/items/ticket_messages?aggregate[count]=*&groupBy[]=ticket',
      '/items/organizations?limit=-1',
      `/items/organizations/${them.org.id}`,
      '/users?limit=-1',
      `/users?filter[organization][_eq]=${them.org.id}`,
      '/items/tickets?export=csv&limit=-1',
      '/items/tickets?export=csv&fields=*.*',
      '/items/ticket_messages?export=csv&limit=-1',
      '/items/tickets?export=json&limit=-1',
    ];
    for (const route of routes) await probe(own(), them, route, { echo: [them.org.id, them.org.name] });

    const grouped = dataOf(
      await call(own().customer.token, 'GET', '/items/tickets?aggregate[count]=*&groupBy[]=organization'),
    );
    expect(grouped.map((group) => [group.organization, Number(group.count)])).toEqual([
      [own().org.id, TICKETS_PER_ORG],
    ]);
  });

  it('cannot read any of the other organization’s rows by id, number or text', async () => {
    const them = other();
    for (const [index, ticket] of them.tickets.entries()) {
      const echo = [ticket.id, ticket.number, ticket.subject];
      const byId = await probe(own(), them, `/items/tickets/${ticket.id}`, { echo });
      expect(byId.status).toBe(403);
      await probe(own(), them, `/items/tickets?filter[id][_eq]=${ticket.id}`, { echo });
      await probe(own(), them, `/items/tickets?filter[number][_eq]=${ticket.number}`, { echo });
      await probe(own(), them, `/items/tickets?search=${ticket.subject}`, { echo });
      await probe(own(), them, `/items/tickets?search=${ticket.number}`, { echo });
      await probe(own(), them, `/items/ticket_messages?filter[ticket][_eq]=${ticket.id}`, { echo });
      await probe(own(), them, '', { echo, graphql: `{ tickets_by_id(id: "${ticket.id}") { id subject } }` });
      await probe(own(), them, '', {
        echo,
        graphql: `{ tickets(filter: { id: { _eq: "${ticket.id}" } }) { id subject description } }`,
      });
      const message = them.publicMessages[index]!;
      const note = them.internalMessages[index]!;
      for (const row of [message, note]) {
        const direct = await probe(own(), them, `/items/ticket_messages/${row.id}`, { echo: [row.id] });
        expect(direct.status).toBe(403);
        await probe(own(), them, '', {
          echo: [row.id],
          graphql: `{ ticket_messages_by_id(id: "${row.id}") { id body } }`,
        });
      }
    }
  });

  it('cannot read internal notes of their own tickets', async () => {
    for (const note of own().internalMessages) {
      const direct = await probe(own(), other(), `/items/ticket_messages/${note.id}`, { echo: [note.id] });
      expect(direct.status).toBe(403);
      await probe(own(), other(), `/items/ticket_messages?search=${note.body}`, { echo: [note.body] });
    }
  });

  it('sees only their organization over GraphQL', async () => {
    const queries = [
      '{ tickets(limit: -1) { id number subject description organization { id name } } }',
      '{ ticket_messages(limit: -1) { id body ticket { id subject } } }',
      '{ ticket_messages(filter: { internal: { _eq: true } }) { id body } }',
      '{ tickets_aggregated(groupBy: ["organization"]) { group count { id } } }',
      '{ organizations { id name } }',
      `{ tickets(search: "${other().org.name}") { id subject } }`,
    ];
    for (const graphql of queries) {
      await probe(own(), other(), '', { graphql, echo: [other().org.name] });
    }
    const response = await call(own().customer.token, 'POST', '/graphql', { query: '{ tickets(limit: -1) { id } }' });
    const rows = (response.body.data as { tickets: Array<{ id: string }> }).tickets;
    expect(rows.map((row) => row.id).sort()).toEqual(
      own()
        .tickets.map((ticket) => ticket.id)
        .sort(),
    );
    tally.allowed += 1;
  });

  it('cannot write what the rules forbid, and can open a ticket for their own organization', async () => {
    const token = own().customer.token;
    const ownTicket = own().tickets[0]!.id;
    const forbidden: Array<[string, string, unknown]> = [
      ['PATCH', `/items/tickets/${ownTicket}`, { assignee: own().customer.id }],
      ['PATCH', `/items/tickets/${ownTicket}`, { resolution_due_at: '2030-01-01T00:00:00Z' }],
      ['PATCH', `/items/tickets/${ownTicket}`, { organization: other().org.id }],
      ['PATCH', `/items/tickets/${other().tickets[0]!.id}`, { satisfaction: 1 }],
      ['POST', '/items/tickets', { subject: 'for them', organization: other().org.id }],
      ['POST', '/items/tickets', { subject: 'with an assignee', assignee: own().customer.id }],
      ['POST', '/items/tickets', { subject: 'with a due time', first_response_due_at: '2030-01-01T00:00:00Z' }],
      ['POST', '/items/ticket_messages', { ticket: ownTicket, body: 'note', internal: true }],
      ['DELETE', `/items/tickets/${ownTicket}`, undefined],
      ['POST', '/shares', { collection: 'tickets', item: ownTicket }],
    ];
    for (const [method, route, body] of forbidden) {
      const response = await call(token, method, route, body);
      expect([method, route, [400, 403].includes(response.status)]).toEqual([method, route, true]);
      tally.forbiddenWrites += 1;
    }
    const unchanged = await call(admin, 'GET', `/items/tickets/${ownTicket}?fields=assignee,organization`);
    expect(unchanged.body.data).toEqual({ assignee: null, organization: own().org.id });

    const rated = await call(token, 'PATCH', `/items/tickets/${ownTicket}`, { satisfaction: 4 });
    expect(rated.status).toBe(200);
    const outOfRange = await call(token, 'PATCH', `/items/tickets/${ownTicket}`, { satisfaction: 6 });
    expect(outOfRange.status).toBe(400);

    const created = await call(token, 'POST', '/items/tickets', { subject: `new-${key}-${run}` });
    expect(created.status).toBe(200);
    expect(created.body.data).toEqual(
      expect.objectContaining({ organization: own().org.id, status: 'new', number: expect.stringMatching(/^SD-/) }),
    );
    tally.allowed += 2;
  });
});

describe('staff and configuration', () => {
  it('lets an agent read every ticket and the internal notes of both organizations', async () => {
    const notes = dataOf(await call(agentToken, 'GET', '/items/ticket_messages?filter[internal][_eq]=true&limit=-1'));
    const expected = [...tenants.a.internalMessages, ...tenants.b.internalMessages].map((message) => message.id);
    expect(notes.map((row) => row.id)).toEqual(expect.arrayContaining(expected));
    const tickets = dataOf(await call(agentToken, 'GET', `/items/tickets?limit=-1&search=${run}`));
    expect(tickets.length).toBeGreaterThanOrEqual(2 * TICKETS_PER_ORG);
    tally.allowed += 2;
  });

  it('grants no policy any permission on directus_shares', async () => {
    const rows = await asAdmin<Array<{ policy: string | null; action: string; system?: boolean }>>(
      'GET',
      '/permissions?filter[collection][_eq]=directus_shares&limit=-1',
    );
    // Directus adds, in code, a read of one's own shares for every app user (policy null, system): with no create
    // permission anywhere there are none to read.
    expect(rows.filter((row) => !row.system || row.policy !== null)).toEqual([]);
    expect(rows.every((row) => row.action === 'read')).toBe(true);
    const share = await call(agentToken, 'POST', '/shares', { collection: 'tickets', item: tenants.a.tickets[0]!.id });
    expect(share.status).toBe(403);
    tally.forbiddenWrites += 1;
  });

  it('gives staff the admin app and customers and the integration account the API only', async () => {
    const policies = await asAdmin<Array<{ name: string; app_access: boolean; admin_access: boolean }>>(
      'GET',
      '/policies?fields=name,app_access,admin_access&limit=-1',
    );
    const access = Object.fromEntries(policies.map((policy) => [policy.name, policy.app_access]));
    expect(access).toEqual(
      expect.objectContaining({
        Manager: true,
        Agent: true,
        'Content Editor': true,
        Customer: false,
        Integration: false,
      }),
    );
  });
});

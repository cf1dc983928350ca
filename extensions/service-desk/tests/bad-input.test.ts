// Issue 10, finding 7: malformed query values (an id of the wrong type, a bad date, a number out of range, a NUL
// byte) are the client's fault: a 400 in Directus's envelope with nothing internal, on every collection, over REST,
// GraphQL and export, and on our own routes. Before the fix the database errors answered 500 (with the SQL for
// admins).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDesk, type Desk } from './fixtures.js';
import { expectErrorEnvelope, getJson } from '../../../tests/integration/http.js';
import { harness } from '../../../tests/integration/harness/context.js';

const COLLECTIONS = [
  'organizations',
  'sla_policies',
  'tags',
  'tickets',
  'ticket_messages',
  'ticket_messages_files',
  'kb_categories',
  'kb_articles',
  'directus_users',
  'directus_files',
];

interface FieldInfo {
  field: string;
  type: string;
  schema: { is_primary_key?: boolean } | null;
}

let desk: Desk;
const fieldsOf = new Map<string, FieldInfo[]>();

function itemsRoute(collection: string): string {
  return collection.startsWith('directus_') ? `/${collection.slice('directus_'.length)}` : `/items/${collection}`;
}

async function get(token: string, route: string) {
  return getJson(`${harness().baseUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
}

async function graphql(token: string, path: '/graphql' | '/graphql/system', query: string) {
  return getJson(`${harness().baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}

/** The malformed filters a collection's own fields allow: a wrong-typed key, a bad date, an out-of-range number. */
function malformedFilters(collection: string): Array<[string, string]> {
  const fields = fieldsOf.get(collection) ?? [];
  const cases: Array<[string, string]> = [];
  const primary = fields.find((field) => field.schema?.is_primary_key);
  if (primary?.type === 'uuid') cases.push(['non-uuid key', `filter[${primary.field}][_eq]=not-a-uuid`]);
  if (primary?.type === 'integer')
    cases.push(['key out of range', `filter[${primary.field}][_eq]=99999999999999999999`]);
  const date = fields.find((field) => ['timestamp', 'dateTime', 'date'].includes(field.type));
  if (date) cases.push(['bad date', `filter[${date.field}][_gt]=not-a-date`]);
  cases.push(['NUL in search', 'search=a%00b']);
  return cases;
}

beforeAll(async () => {
  desk = await createDesk('bad-input');
  for (const collection of COLLECTIONS) {
    const response = await get(desk.admin, `/fields/${collection}`);
    expect(response.status).toBe(200);
    fieldsOf.set(collection, response.body.data as unknown as FieldInfo[]);
  }
});

afterAll(async () => {
  await desk?.db.destroy();
});

function expectClientError(response: { status: number; body: Record<string, unknown>; text: string }) {
  expect(response.status).toBe(400);
  expectErrorEnvelope(response, 'INVALID_QUERY');
  // Neither SQL nor the database's own wording reaches the client.
  expect(response.text).not.toMatch(/select|invalid input syntax|"tickets"\.|\$\d/i);
}

describe('malformed query values answer 400 on every collection', () => {
  it('covers each collection with at least two malformed filters', () => {
    for (const collection of COLLECTIONS) expect(malformedFilters(collection).length).toBeGreaterThanOrEqual(2);
  });

  it.each(COLLECTIONS)('%s: admin, agent and customer get 400 INVALID_QUERY, over REST and CSV export', async (c) => {
    const seen: string[] = [];
    for (const [label, query] of malformedFilters(c)) {
      for (const [who, token] of [
        ['admin', desk.admin],
        ['agent', desk.users.agent.token],
        ['customer', desk.users.customer.token],
      ] as const) {
        for (const suffix of ['', '&export=csv']) {
          const response = await get(token, `${itemsRoute(c)}?${query}${suffix}`);
          // A role without read access on the collection gets Directus's 403 first, which is fine; never a 500.
          if (response.status === 403) {
            expectErrorEnvelope(response, 'FORBIDDEN');
            continue;
          }
          seen.push(`${label} ${who}${suffix}`);
          expectClientError(response);
        }
      }
    }
    // The admin always reaches the database, so every malformed filter was really tried.
    expect(seen.filter((entry) => entry.includes('admin')).length).toBe(malformedFilters(c).length * 2);
  });

  it.each(COLLECTIONS)('%s: a key of the wrong type in the path is a 4xx, never a 500', async (collection) => {
    const primary = fieldsOf.get(collection)!.find((field) => field.schema?.is_primary_key)!;
    const key = primary.type === 'integer' ? '99999999999999999999' : 'not-a-uuid';
    const response = await get(desk.admin, `${itemsRoute(collection)}/${key}`);
    // Directus answers a key that cannot be of the key's type with its own 403 (validateKeys); a numeric key out
    // of the column's range reached the database and answered 500.
    expect([400, 403]).toContain(response.status);
    expectErrorEnvelope(response, response.status === 400 ? 'INVALID_QUERY' : 'FORBIDDEN');
  });

  it('aggregate and groupBy with a bad date answer 400', async () => {
    const response = await get(
      desk.admin,
      '/items/tickets?aggregate[count]=*&groupBy[]=priority&filter[date_created][_gt]=not-a-date',
    );
    expectClientError(response);
  });

  it("a deep sub-query filter Directus's parser rejects does not stop the server (found by the fuzz)", async () => {
    // Directus 11.17.4 sanitizes deep sub-queries without awaiting them: this one was an unhandled rejection that
    // stopped the process. Each role and a second collection, then the server must still answer.
    const deep = encodeURIComponent(JSON.stringify({ messages: { _filter: { _and: 'x' } } }));
    for (const token of [desk.admin, desk.users.agent.token, desk.users.customer.token]) {
      const response = await get(token, `/items/tickets?deep=${deep}`);
      expect(response.status).toBeLessThan(500);
    }
    const other = encodeURIComponent(JSON.stringify({ ticket: { _filter: { _or: {} } } }));
    expect((await get(desk.admin, `/items/ticket_messages?deep=${other}`)).status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ping = await getJson(`${harness().baseUrl}/server/ping`);
    expect(ping.status).toBe(200);
  });
});

describe('GraphQL answers malformed values as a client error', () => {
  it.each<['/graphql' | '/graphql/system', string]>([
    ['/graphql', '{ tickets(filter: { date_created: { _gt: "not-a-date" } }) { id } }'],
    ['/graphql', '{ tickets(filter: { id: { _eq: "not-a-uuid" } }) { id } }'],
    ['/graphql', '{ sla_policies(filter: { id: { _eq: "99999999999999999999" } }) { id } }'],
    ['/graphql/system', '{ users(filter: { id: { _eq: "not-a-uuid" } }) { id } }'],
  ])('%s %s', async (path, query) => {
    for (const token of [desk.admin, desk.users.agent.token]) {
      const response = await graphql(token, path, query);
      const errors = response.body.errors as Array<{ message: string; extensions: { code: string } }>;
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions.code).toBe('INVALID_QUERY');
      expect(errors[0]!.message).not.toMatch(/select|invalid input syntax/i);
    }
  });
});

describe('our own routes refuse malformed input with a 4xx envelope', () => {
  it.each([
    ['/groundwork/v1/workflows/tickets/not-a-uuid/transitions'],
    ['/groundwork/v1/workflows/tickets/%00/transitions'],
    ['/groundwork/v1/jobs?queue=a%00b'],
    ['/groundwork/v1/jobs/not-a-uuid'],
    ['/groundwork/v1/jobs?limit=99999999999999999999'],
    ['/groundwork/v1/health/live?x=%00'],
  ])('GET %s', async (route) => {
    const response = await get(desk.admin, route);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toMatch(/stack|at .+\.js:\d+|node_modules|select /);
    expect(response.body).toEqual({ errors: [expect.objectContaining({ extensions: expect.any(Object) })] });
  });
});

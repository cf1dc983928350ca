// Issue 12 Search item 4 (decision 0063): Directus's own `?search=` on a collection configured for search goes
// through the ranked index, as the caller. Over HTTP on the real Directus: for every role, `/items/tickets?search=`
// lists exactly what GET /groundwork/v1/search finds for that caller, its counts (meta and aggregate) agree, nothing
// of another tenant or of an internal note shows; GraphQL goes the same way; other collections, UUIDs and numbers
// keep Directus's own search.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { APP_SEARCH_LIMIT } from '../../platform/src/search/core/app-search.js';
import { call, createDesk, type Desk, madeUpWord, quietly, quietTicket } from './fixtures.js';

let desk: Desk;
const W = {
  shared: madeUpWord('shared'),
  foreign: madeUpWord('foreign'),
  internal: madeUpWord('internal'),
  sorted: madeUpWord('sorted'),
  many: madeUpWord('many'),
  // Inside a longer word only: Directus's LIKE finds it, full-text search (whole words and prefixes) does not.
  inner: madeUpWord('inner'),
  // The same inside a word of a subject: a typo field, whose trigrams still find it when few words match exactly.
  innerSubject: madeUpWord('titled'),
};
const ids = { own: '', other: '', midword: '', midwordSubject: '', sorted: [] as string[] };

type Role = keyof Desk['users'] | 'admin';
const ROLES: Role[] = ['customer', 'outsider', 'agent', 'manager', 'editor', 'admin'];
const tokenOf = (role: Role) => (role === 'admin' ? desk.admin : desk.users[role].token);

async function items(role: Role, collection: string, params: Record<string, string>) {
  const response = await call(tokenOf(role), 'GET', `/items/${collection}?${new URLSearchParams(params)}`);
  return { status: response.status, body: response.body as { data: Array<Record<string, unknown>>; meta?: object } };
}
async function listed(role: Role, collection: string, params: Record<string, string>) {
  const response = await items(role, collection, { fields: 'id', limit: '-1', ...params });
  if (response.status !== 200) throw new Error(`/items/${collection} as ${role}: ${response.status}`);
  return response.body.data.map((row) => String(row.id));
}
async function routeIds(role: Role, q: string, collection = 'tickets') {
  const params = new URLSearchParams({ q, collections: collection, limit: '50' });
  const response = await call(tokenOf(role), 'GET', `/groundwork/v1/search?${params}`);
  if (response.status !== 200) throw new Error(`search as ${role}: ${response.status} ${response.text}`);
  return (response.body as { data: Array<{ id: string }> }).data.map((hit) => hit.id);
}
async function counts(role: Role, search: string, extra: Record<string, string> = {}) {
  const meta = await items(role, 'tickets', { search, fields: 'id', limit: '1', meta: 'filter_count', ...extra });
  const aggregate = await items(role, 'tickets', { search, 'aggregate[count]': '*', ...extra });
  return {
    filterCount: Number((meta.body.meta as { filter_count: number }).filter_count),
    aggregate: Number((aggregate.body.data[0] as { count: number | string }).count),
  };
}
async function graphql(role: Role, query: string) {
  const response = await call(tokenOf(role), 'POST', '/graphql', { query });
  return response.body as { data?: Record<string, unknown>; errors?: unknown[] };
}
const sorted = (values: string[]) => [...values].sort();

const ticket = (fields: Record<string, unknown>) => quietTicket(desk, fields);

beforeAll(async () => {
  desk = await createDesk('app-search');
  ids.own = await ticket({ subject: `Printer jam ${W.shared}`, description: 'Paper stuck in tray two' });
  ids.other = await ticket({
    subject: `Printer jam ${W.shared}`,
    description: `Their own words ${W.foreign}`,
    organization: desk.otherOrg.id,
    requester: desk.users.outsider.id,
    status: 'pending',
  });
  await quietly(desk, (db) =>
    db('ticket_messages').insert([
      { id: randomUUID(), ticket: ids.own, body: `Staff only: ${W.internal} escalate`, internal: true },
    ]),
  );
  ids.midword = await ticket({ subject: 'A word inside a word', description: `Pre${W.inner}post printer` });
  ids.midwordSubject = await ticket({ subject: `Pre${W.innerSubject}post printer`, description: 'Nothing else' });
  for (const letter of ['c', 'a', 'd', 'b']) ids.sorted.push(await ticket({ subject: `${letter} ${W.sorted}` }));
}, 60_000);

afterAll(async () => {
  await desk.db.destroy();
});

describe("the app's ?search= on tickets: the ranked index, as the caller", () => {
  it('lists, for every role, exactly what the search route finds for that role', async () => {
    const expected: Record<Role, string[]> = {
      customer: [ids.own],
      outsider: [ids.other],
      agent: [ids.own, ids.other],
      manager: [ids.own, ids.other],
      editor: [],
      agent2: [ids.own, ids.other],
      editor2: [],
      admin: [ids.own, ids.other],
    };
    for (const role of ROLES) {
      const route = await routeIds(role, W.shared);
      expect(sorted(route)).toEqual(sorted(expected[role]));
      if (role === 'editor') {
        // Editors may not read tickets: Directus refuses the list as before, the search adds nothing.
        expect((await items(role, 'tickets', { search: W.shared })).status).toBe(403);
        continue;
      }
      expect(sorted(await listed(role, 'tickets', { search: W.shared }))).toEqual(sorted(route));
      expect(await counts(role, W.shared)).toEqual({ filterCount: route.length, aggregate: route.length });
    }
  });

  it("never shows a customer another tenant's ticket or one found only through an internal note", async () => {
    for (const secret of [W.foreign, W.internal, W.foreign.slice(0, 8)]) {
      expect(await listed('customer', 'tickets', { search: secret })).toEqual([]);
      expect(await listed('customer', 'ticket_messages', { search: secret })).toEqual([]);
      expect(await counts('customer', secret)).toEqual({ filterCount: 0, aggregate: 0 });
    }
    // Staff find the note and the other tenant's ticket by the same words: the positive control.
    expect(await listed('agent', 'ticket_messages', { search: W.internal })).toHaveLength(1);
    expect(await listed('agent', 'tickets', { search: W.foreign })).toEqual([ids.other]);
  });

  it("keeps the query's own filter and sort", async () => {
    const filtered = { 'filter[status][_eq]': 'pending' };
    expect(await listed('agent', 'tickets', { search: W.shared, ...filtered })).toEqual([ids.other]);
    expect(await counts('agent', W.shared, filtered)).toEqual({ filterCount: 1, aggregate: 1 });
    const bySubject = await items('agent', 'tickets', { search: W.sorted, sort: 'subject', fields: 'id,subject' });
    expect(bySubject.body.data.map((row) => String(row.subject)[0])).toEqual(['a', 'b', 'c', 'd']);
    const descending = await items('agent', 'tickets', { search: W.sorted, sort: '-subject', fields: 'subject' });
    expect(descending.body.data.map((row) => String(row.subject)[0])).toEqual(['d', 'c', 'b', 'a']);
    // Paging pages through the matches.
    expect(await listed('agent', 'tickets', { search: W.sorted, sort: 'subject', limit: '2', page: '2' })).toHaveLength(
      2,
    );
  });

  it('finds whole words and prefixes first; text inside a word only when the index finds nothing', async () => {
    // The word's start, as typed, is a prefix: found through the index.
    expect(await listed('agent', 'tickets', { search: `pre${W.inner}` })).toEqual([ids.midword]);
    // In a subject, typo tolerance (trigram word similarity, when fewer than 3 match exactly) finds it, as the route.
    const route = await routeIds('agent', W.innerSubject);
    expect(route).toEqual([ids.midwordSubject]);
    expect(await listed('agent', 'tickets', { search: W.innerSubject })).toEqual(route);
    // Text inside a word that the index does not find: Directus's own search answers (nothing found before is lost),
    // with the same count, and still as the caller.
    expect(await routeIds('agent', W.inner)).toEqual([]);
    expect(await listed('agent', 'tickets', { search: W.inner })).toEqual([ids.midword]);
    expect(await counts('agent', W.inner)).toEqual({ filterCount: 1, aggregate: 1 });
    // The other organization's customer: Directus's search applies their permissions as ever.
    expect(await listed('outsider', 'tickets', { search: W.inner })).toEqual([]);
    // A word nobody wrote: an empty list, never every row.
    expect(await listed('agent', 'tickets', { search: madeUpWord('nothing') })).toEqual([]);
  });

  it('keeps Directus’s own search for a UUID, a number and a collection not configured for search', async () => {
    expect(await listed('agent', 'tickets', { search: ids.own })).toEqual([ids.own]);
    // The digits of a ticket number (SD-1042): Directus's LIKE finds them inside the number field.
    const { number } = (await desk.db('tickets').where('id', ids.own).first('number')) as { number: string };
    expect(await listed('agent', 'tickets', { search: number.replace(/\D/g, '') })).toContain(ids.own);
    // organizations is not configured: Directus's LIKE still finds text inside a word ("earch-…" of "app-search-…").
    const inner = desk.run.slice(5);
    expect(await listed('admin', 'organizations', { search: inner })).toEqual(
      expect.arrayContaining([desk.org.id, desk.otherOrg.id]),
    );
  });

  it('GraphQL tickets(search:) and its aggregate go the same way', async () => {
    const list = (role: Role, q: string) =>
      graphql(role, `{ tickets(search: ${JSON.stringify(q)}, limit: -1) { id } }`).then((body) =>
        sorted(((body.data?.tickets ?? []) as Array<{ id: string }>).map((row) => row.id)),
      );
    expect(await list('customer', W.shared)).toEqual([ids.own]);
    expect(await list('agent', W.shared)).toEqual(sorted([ids.own, ids.other]));
    expect(await list('customer', W.foreign)).toEqual([]);
    // A plural of the word: the stemmed index finds both tickets, where Directus's LIKE would find none.
    expect(await list('agent', `${W.shared}s`)).toEqual(sorted([ids.own, ids.other]));
    const aggregated = await graphql('customer', `{ tickets_aggregated(search: "${W.shared}") { count { id } } }`);
    expect(aggregated.data?.tickets_aggregated).toEqual([{ count: { id: 1 } }]);
  });

  it(`lists the best ${APP_SEARCH_LIMIT} by rank when more match, and counts those`, async () => {
    const rows = Array.from({ length: APP_SEARCH_LIMIT + 5 }, (_, index) => ({
      id: randomUUID(),
      status: 'open',
      priority: 'normal',
      organization: desk.otherOrg.id,
      requester: desk.users.outsider.id,
      // Five rows have the word in their subject (weight A): they rank first and are always in.
      subject: index < 5 ? `Top ${W.many}` : 'Bulk',
      description: index < 5 ? '' : `Bulk ${W.many}`,
    }));
    await desk.db.batchInsert('tickets', rows, 500);
    try {
      const route = await call(desk.admin, 'GET', `/groundwork/v1/search?q=${W.many}&collections=tickets&limit=5`);
      expect((route.body as { meta: { total: number } }).meta.total).toBe(APP_SEARCH_LIMIT + 5);
      expect(await counts('agent', W.many)).toEqual({ filterCount: APP_SEARCH_LIMIT, aggregate: APP_SEARCH_LIMIT });
      // The best ranked are among them (a page is at most QUERY_LIMIT_MAX rows, so asked for by a filter).
      const top = await listed('agent', 'tickets', { search: W.many, 'filter[subject][_starts_with]': 'Top' });
      expect(sorted(top)).toEqual(sorted(rows.slice(0, 5).map((row) => row.id)));
    } finally {
      // Out of the shared database again: other suites list every ticket as staff.
      await desk
        .db('tickets')
        .whereIn(
          'id',
          rows.map((row) => row.id),
        )
        .delete();
    }
  }, 60_000);
});

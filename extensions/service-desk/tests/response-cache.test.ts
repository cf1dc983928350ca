// Directus's response cache (CACHE_ENABLED=true, CACHE_AUTO_PURGE=true) attacked on the service desk's rules (issue 14
// item 4, decisions 0065 and 0075). Directus keys a cached answer on the user id, the path and the query
// (utils/get-cache-key.js), not on the role, policies or organization: each test makes an answer cached, then changes
// what decides who may read it (through the API or in SQL), and checks the next read is computed anew (or refused)
// instead of answered from the cache. Every test first
// proves the answer it attacks was a HIT, so a cache that stored nothing could not pass. The write-invalidates-every-
// instance case lives with the two-instance harness (tests/integration/scale-out.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import { POLICY, ROLE } from '../spec/service-desk/access.js';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { adminToken, bearerClient, expectErrorEnvelope } from '../../../tests/integration/http.js';

const PASSWORD = 'response-cache-password-42';
const LIST = '/items/tickets?fields=id,organization&limit=-1&sort=id';

let db: PgConnection;
let instance: DirectusInstance;
let sql: Knex;
let admin: string;
const org: Record<'a' | 'b', string> = { a: '', b: '' };
let serial = 0;

const { api, ok, userWithToken } = bearerClient(() => instance.baseUrl);

/** A user made by the admin (through the API); returns its id and a fresh access token. */
async function person(role: string, organization: string | null = null) {
  const email = `cache-${++serial}-${Date.now()}@cache.example.com`;
  return userWithToken(admin, { email, password: PASSWORD, role, organization });
}

/** A GET with its cache status, and the organizations of the tickets it holds (null for a refusal). */
async function read(token: string, route = LIST) {
  const response = await api(token, 'GET', route);
  const cache = response.headers.get('x-cache-status');
  if (response.status !== 200) return { status: response.status, cache, organizations: null, response };
  const data = (response.body as { data: { organization: string } | Array<{ organization: string }> }).data;
  const rows = Array.isArray(data) ? data : [data];
  return { status: 200, cache, organizations: [...new Set(rows.map((row) => row.organization))].sort(), response };
}

/** The second purge after a write (decision 0075), shortened here; the default is 2 s. */
const SETTLE_MS = 300;

/**
 * Asks twice and answers the second answer once it is a HIT: the state every attack below starts from. It first
 * waits out the purges of earlier writes (the test's own setup), so a purge seen after the attack is the attack's.
 * A write's side effects land later (a new ticket's notifications are a background job, and each purges), so it
 * tries again until a pair ends in a HIT, for up to 20 s; after that it answers the last pair's second answer.
 */
async function secondHit<T extends { cache: string | null }>(ask: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await sleep(SETTLE_MS + 200);
    await ask();
    const second = await ask();
    if (second.cache === 'HIT' || Date.now() > deadline) return second;
  }
}

/** The caller's answer on `route`, proven cached (a HIT). */
async function cached(token: string, route = LIST) {
  const second = await secondHit(() => read(token, route));
  expect(second.cache).toBe('HIT');
  return second;
}

const sorted = (...values: string[]) => [...values].sort();

/** An agent's list is cached; the agent is made Customer of org B in SQL; the next read is computed anew for B. */
async function agentDemotedInSql() {
  const agent = await person(ROLE.agent);
  expect((await cached(agent.token)).organizations).toEqual(sorted(org.a, org.b));
  await sql('directus_users').where({ id: agent.id }).update({ role: ROLE.customer, organization: org.b });
  // users/revocation.ts keeps a user's role in memory for at most 1 s; the purge itself takes milliseconds.
  await sleep(1500);
  const after = await read(agent.token);
  expect([after.cache, after.organizations]).toEqual(['MISS', [org.b]]);
}

/** Tables that carry the purge trigger now. */
async function triggered(): Promise<string[]> {
  const { rows } = await sql.raw<{ rows: Array<{ relname: string }> }>(
    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'groundwork_cache_purge'",
  );
  return rows.map((row) => row.relname);
}

/** Asks until the answer is as wanted or `ms` pass; answers the last answer either way. */
async function until<T>(ask: () => Promise<T>, done: (answer: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await ask();
    if (done(answer) || Date.now() > deadline) return answer;
    await sleep(50);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await migratedTestDatabase('response_cache');
  instance = await startMigratedInstance({
    db,
    name: 'response-cache',
    env: {
      CACHE_ENABLED: 'true',
      CACHE_AUTO_PURGE: 'true',
      CACHE_STORE: 'memory',
      CACHE_TTL: '5m',
      CACHE_STATUS_HEADER: 'X-Cache-Status',
      GROUNDWORK_CACHE_PURGE_SETTLE_MS: String(SETTLE_MS),
    },
  });
  sql = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: 2 } });
  admin = await adminToken(instance.baseUrl);
  for (const which of ['a', 'b'] as const) {
    org[which] = (
      await ok<{ id: string }>(admin, 'POST', '/items/organizations', {
        name: `Cache org ${which}`,
        domain: `org-${which}.cache.example.com`,
      })
    ).id;
    await ok(admin, 'POST', '/items/tickets', {
      subject: `ticket of ${which}`,
      description: `ticket of ${which}`,
      organization: org[which],
    });
  }
}, 180_000);

afterAll(async () => {
  await instance?.stop();
  await sql?.destroy();
  if (db) await dropDatabase(harness().server, db.database);
});

describe('two customers of different organizations on the same URL', () => {
  it('REST: each gets their own organization, cached separately', async () => {
    const [a, b] = [await person(ROLE.customer, org.a), await person(ROLE.customer, org.b)];
    expect((await cached(a.token)).organizations).toEqual([org.a]);
    // B's first read of the very URL A has in the cache: computed for B, not A's answer.
    const first = await read(b.token);
    expect(first.cache).toBe('MISS');
    expect(first.organizations).toEqual([org.b]);
    expect((await cached(b.token)).organizations).toEqual([org.b]);
    expect((await read(a.token)).organizations).toEqual([org.a]);
  });

  it("REST: one ticket of B's organization stays 403 for A while it is cached for B", async () => {
    const [a, b] = [await person(ROLE.customer, org.a), await person(ROLE.customer, org.b)];
    const { id } = await ok<{ id: string }>(b.token, 'POST', '/items/tickets', {
      subject: 'only for b',
      description: 'only for b',
      organization: org.b,
    });
    const route = `/items/tickets/${id}?fields=id,subject,organization`;
    expect((await cached(b.token, route)).status).toBe(200);
    expectErrorEnvelope((await read(a.token, route)).response, 'FORBIDDEN');
  });

  it('GraphQL: the same query text gives each customer their own organization', async () => {
    const [a, b] = [await person(ROLE.customer, org.a), await person(ROLE.customer, org.b)];
    const query = '{ tickets(limit: -1, sort: ["id"]) { id organization { id } } }';
    const ask = async (token: string) => {
      const response = await api(token, 'POST', '/graphql', { query });
      expect(response.status).toBe(200);
      const rows = (response.body as { data: { tickets: Array<{ organization: { id: string } }> } }).data.tickets;
      return {
        cache: response.headers.get('x-cache-status'),
        organizations: [...new Set(rows.map((r) => r.organization.id))],
      };
    };
    expect(await secondHit(() => ask(a.token))).toEqual({ cache: 'HIT', organizations: [org.a] });
    expect(await ask(b.token)).toEqual({ cache: 'MISS', organizations: [org.b] });
    expect(await secondHit(() => ask(b.token))).toEqual({ cache: 'HIT', organizations: [org.b] });
  });
});

describe('a change of what decides permissions is not answered from the cache', () => {
  it('an agent demoted to Customer of org A (through the API) reads org A only, same token', async () => {
    const agent = await person(ROLE.agent);
    expect((await cached(agent.token)).organizations).toEqual(sorted(org.a, org.b));
    await ok(admin, 'PATCH', `/users/${agent.id}`, { role: ROLE.customer, organization: org.a });
    const after = await read(agent.token);
    expect(after.organizations).toEqual([org.a]);
    expect(after.cache).toBe('MISS');
  });

  it('a customer moved to org B (through the API) reads org B only', async () => {
    const moved = await person(ROLE.customer, org.a);
    expect((await cached(moved.token)).organizations).toEqual([org.a]);
    await ok(admin, 'PATCH', `/users/${moved.id}`, { organization: org.b });
    expect((await read(moved.token)).organizations).toEqual([org.b]);
  });

  it('a customer whose role is removed (through the API) is refused, not answered from the cache', async () => {
    const customer = await person(ROLE.customer, org.a);
    expect((await cached(customer.token)).organizations).toEqual([org.a]);
    await ok(admin, 'PATCH', `/users/${customer.id}`, { role: null });
    expect((await read(customer.token)).status).toBe(403);
  });

  it('a suspended user gets 401 at once, also when suspended in SQL (checked before the cache)', async () => {
    const agent = await person(ROLE.agent);
    await cached(agent.token);
    await sql('directus_users').where({ id: agent.id }).update({ status: 'suspended' });
    // users/revocation.ts keeps a user's status in memory for at most 1 s.
    await sleep(1500);
    expectErrorEnvelope((await read(agent.token)).response, 'INVALID_CREDENTIALS');
  });

  it('a role and organization changed in SQL: the next read is computed for the new ones (decision 0075)', async () => {
    // No service runs and the key (user id, path, query) is the same; the statement trigger on directus_users
    // notifies at commit and the instance empties its cache. Before decision 0075 this answered the old role's
    // list as a HIT until CACHE_TTL.
    await agentDemotedInSql();
  });
});

describe('writes in SQL purge as service writes do (decision 0075)', () => {
  it("a ticket moved to another organization in SQL leaves its old organization's cached list at once", async () => {
    const customer = await person(ROLE.customer, org.a);
    const { id } = await ok<{ id: string }>(customer.token, 'POST', '/items/tickets', {
      subject: 'moved in sql',
      description: 'moved in sql',
      organization: org.a,
    });
    const route = '/items/tickets?fields=id&limit=-1';
    const ids = async () => {
      const response = await api(customer.token, 'GET', route);
      const rows = (response.body as { data: Array<{ id: string }> }).data;
      return { cache: response.headers.get('x-cache-status'), has: rows.some((row) => row.id === id) };
    };
    expect(await secondHit(ids)).toEqual({ cache: 'HIT', has: true });
    await sql('tickets').where({ id }).update({ organization: org.b });
    const after = await until(ids, (answer) => answer.cache === 'MISS', 2000);
    expect(after).toEqual({ cache: 'MISS', has: false });
  });

  it('every collection table and the access tables carry the purge trigger; directus_activity does not', async () => {
    const tables = await triggered();
    for (const table of ['tickets', 'organizations', 'ticket_messages', 'directus_users', 'directus_permissions'])
      expect(tables).toContain(table);
    expect(tables).not.toContain('directus_activity');
  });

  it('a collection created in the app gets its trigger, and a row inserted in SQL purges', async () => {
    const collection = `cache_probe_${Date.now()}`;
    await ok(admin, 'POST', '/collections', {
      collection,
      schema: {},
      meta: { icon: 'box' },
      fields: [{ field: 'id', type: 'integer', schema: { is_primary_key: true, has_auto_increment: true } }],
    });
    try {
      expect(await until(triggered, (tables) => tables.includes(collection), 5000)).toContain(collection);
      const route = `/items/${collection}?fields=id`;
      const status = async () => ({ cache: (await api(admin, 'GET', route)).headers.get('x-cache-status') });
      expect(await secondHit(status)).toEqual({ cache: 'HIT' });
      await sql(collection).insert({});
      const after = await until(
        () => api(admin, 'GET', route),
        (response) => response.headers.get('x-cache-status') === 'MISS',
        2000,
      );
      expect((after.body as { data: unknown[] }).data).toHaveLength(1);
    } finally {
      await api(admin, 'DELETE', `/collections/${collection}`);
    }
  });
});

describe('invalidation by writes', () => {
  it('relational fields: renaming the organization is seen on the next read', async () => {
    const customer = await person(ROLE.customer, org.a);
    const route = '/items/tickets?fields=id,organization.name&limit=-1&sort=id';
    const names = async () => {
      const response = await api(customer.token, 'GET', route);
      const rows = (response.body as { data: Array<{ organization: { name: string } }> }).data;
      return {
        cache: response.headers.get('x-cache-status'),
        names: [...new Set(rows.map((r) => r.organization.name))],
      };
    };
    expect(await secondHit(names)).toEqual({ cache: 'HIT', names: ['Cache org a'] });
    await ok(admin, 'PATCH', `/items/organizations/${org.a}`, { name: 'Cache org a renamed' });
    try {
      expect(await names()).toEqual({ cache: 'MISS', names: ['Cache org a renamed'] });
    } finally {
      await ok(admin, 'PATCH', `/items/organizations/${org.a}`, { name: 'Cache org a' });
    }
  });

  it("a customer's new ticket (GraphQL mutation) is in their next list", async () => {
    const customer = await person(ROLE.customer, org.a);
    const ids = async () => {
      const response = await api(customer.token, 'GET', '/items/tickets?fields=id&limit=-1');
      return (response.body as { data: Array<{ id: string }> }).data.map((row) => row.id);
    };
    await cached(customer.token, '/items/tickets?fields=id&limit=-1');
    const created = await api(customer.token, 'POST', '/graphql', {
      query: 'mutation { create_tickets_item(data: { subject: "by graphql", description: "x" }) { id } }',
    });
    expect(created.status).toBe(200);
    const id = (created.body as { data: { create_tickets_item: { id: string } } }).data.create_tickets_item.id;
    expect(await ids()).toContain(id);
  });
});

describe('with CACHE_AUTO_PURGE=false: data may be stale until CACHE_TTL, access changes still purge', () => {
  beforeAll(async () => {
    await instance.stop();
    instance = await startMigratedInstance({
      db,
      name: 'response-cache-no-auto-purge',
      env: {
        CACHE_ENABLED: 'true',
        CACHE_AUTO_PURGE: 'false',
        CACHE_STORE: 'memory',
        CACHE_TTL: '5m',
        CACHE_STATUS_HEADER: 'X-Cache-Status',
        GROUNDWORK_CACHE_PURGE_SETTLE_MS: String(SETTLE_MS),
      },
    });
    admin = await adminToken(instance.baseUrl);
  }, 180_000);

  it('a ticket renamed in SQL stays cached (the setting is honoured: data writes do not purge)', async () => {
    const customer = await person(ROLE.customer, org.a);
    const route = '/items/tickets?fields=id,subject&limit=-1&sort=id';
    const before = await cached(customer.token, route);
    const rows = (before.response.body as { data: Array<{ id: string; subject: string }> }).data;
    const ticket = rows[0]!;
    await sql('tickets')
      .where({ id: ticket.id })
      .update({ subject: `${ticket.subject} renamed in sql` });
    await sleep(SETTLE_MS + 500);
    const after = await read(customer.token, route);
    expect(after.cache).toBe('HIT');
    const subjects = (after.response.body as { data: Array<{ id: string; subject: string }> }).data;
    expect(subjects.find((row) => row.id === ticket.id)?.subject).toBe(ticket.subject);
  });

  it('a role and organization changed in SQL still purge: the next read is the new organization only', async () => {
    await agentDemotedInSql();
  });

  it("a role's policy link deleted in SQL still purges: the next read is refused (decision 0076)", async () => {
    const role = await ok<{ id: string }>(admin, 'POST', '/roles', { name: `No auto purge ${Date.now()}` });
    const link = await ok<{ id: string }>(admin, 'POST', '/access', { role: role.id, policy: POLICY.agent });
    const staff = await person(role.id);
    expect((await cached(staff.token)).organizations).toEqual(sorted(org.a, org.b));
    await sql('directus_access').where({ id: link.id }).delete();
    const after = await until(
      () => read(staff.token),
      (answer) => answer.status === 403,
      5000,
    );
    expect(after.status).toBe(403);
  });
});

describe('with the cache off', () => {
  it("a boot removes the triggers only the response cache needs; the policy tables' stay (decision 0076)", async () => {
    expect(await triggered()).toContain('tickets');
    await instance.stop();
    instance = await startMigratedInstance({ db, name: 'response-cache-off', env: { CACHE_ENABLED: 'false' } });
    // Directus's permissions cache is on whatever CACHE_ENABLED says: a policy written in SQL still clears it.
    expect((await triggered()).sort()).toEqual(
      ['directus_access', 'directus_permissions', 'directus_policies', 'directus_roles'].sort(),
    );
  }, 180_000);
});

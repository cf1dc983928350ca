// Regression tests for the Directus 11.x advisories that Groundwork closes by configuration (fixed upstream only
// in 12.0; /work/shared/ARCHITECTURE.md §6). The instances here run with the security baseline users get, read
// from .env.example (scripts/lib/security-baseline.ts), on a migrated database of this file's own: one instance has
// the response cache off, and its boot drops the cache-purge triggers that instances with it on rely on.
//   CVE-2026-61835: import by URL reaches the host through a literal 0.0.0.0 (SSRF).
//   CVE-2026-35409: the same through an IPv4-mapped IPv6 address ([::ffff:127.0.0.1]).
//   CVE-2026-61836: the response-cache key has no share or role context; no policy may grant shares.
//   CVE-2026-129239: a non-admin who may update shares reassigns a share's user_created and role (fixed in 12.3.1);
//   the platform refuses every non-admin share write, whatever a permission grants.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROLE } from '../spec/service-desk/access.js';
import { startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { readSecurityBaseline } from '../../../scripts/lib/security-baseline.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { adminToken, expectErrorEnvelope, getJson } from '../../../tests/integration/http.js';

const baseline = readSecurityBaseline();
const run = randomBytes(4).toString('hex');

/** A small file server on loopback that counts every request it receives. */
let target: Server;
let port: number;
const hits: string[] = [];

let db: PgConnection;
/** The baseline with the response cache on (off by default, decision 0081): the configuration CVE-2026-61836 is about. */
let hardened: DirectusInstance;
/** The positive control: the same baseline without the deny list, so the import tests can fail. */
let open: DirectusInstance;
let hardenedAdmin: string;
let openAdmin: string;

async function call(instance: DirectusInstance, token: string, method: string, route: string, body?: unknown) {
  return getJson(`${instance.baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The log line Directus wrote about a failed import of `url` (the pipe may deliver it just after the answer). */
async function logLine(instance: DirectusInstance, url: string): Promise<string> {
  const needle = `Couldn't fetch file from URL \\"${url}\\"`;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const line = instance.output().find((entry) => entry.includes(needle));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `no log line for ${url}`;
}

const importForms = () => [
  ['CVE-2026-61835 literal 0.0.0.0', `http://0.0.0.0:${port}/x.txt?form=zero`],
  ['CVE-2026-35409 IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${port}/x.txt?form=mapped`],
  ['loopback 127.0.0.1', `http://127.0.0.1:${port}/x.txt?form=loopback`],
  ['localhost', `http://localhost:${port}/x.txt?form=localhost`],
];

beforeAll(async () => {
  target = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`advisory probe ${run}\n`);
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  port = (target.address() as AddressInfo).port;

  db = await migratedTestDatabase('advisories');
  [hardened, open] = await Promise.all([
    startInstance({ db, name: 'advisories-baseline', env: { ...baseline, CACHE_ENABLED: 'true' } }),
    // 192.0.2.1 (TEST-NET-1) is never reached; Directus's own default list would deny 0.0.0.0. The response cache
    // off: the configuration where shares may exist (the share tests make theirs here).
    startInstance({
      db,
      name: 'advisories-open',
      env: { ...baseline, IMPORT_IP_DENY_LIST: '192.0.2.1', CACHE_ENABLED: 'false' },
    }),
  ]);
  [hardenedAdmin, openAdmin] = await Promise.all([adminToken(hardened.baseUrl), adminToken(open.baseUrl)]);
});

afterAll(async () => {
  await Promise.all([hardened?.stop(), open?.stop()]);
  if (db) await dropDatabase(harness().server, db.database);
  await new Promise((resolve) => target?.close(resolve));
});

describe('import by URL with the baseline IMPORT_IP_DENY_LIST', () => {
  it('runs the instance with the baseline from .env.example', () => {
    expect(hardened.env.IMPORT_IP_DENY_LIST).toBe(baseline.IMPORT_IP_DENY_LIST);
    expect(hardened.env.HASH_MEMORY_COST).toBe('19456');
    expect(hardened.env.CACHE_ENABLED).toBe('true');
  });

  it.each(importForms().map(([name]) => [name]))('refuses %s without reaching the host', async (name) => {
    const url = importForms().find(([form]) => form === name)![1]!;
    const before = hits.length;
    const response = await call(hardened, hardenedAdmin, 'POST', '/files/import', { url });
    // Directus 11.17.4 reports a denied address as an unreachable service: 503 SERVICE_UNAVAILABLE, an error
    // envelope without internals (not a crash); the import never reaches the host.
    expect([url, response.status]).toEqual([url, 503]);
    expectErrorEnvelope(response, 'SERVICE_UNAVAILABLE');
    expect(response.text).not.toContain(`advisory probe ${run}`);
    expect(hits.slice(before)).toEqual([]);
    // Refused by the deny list, not by a connection error that would pass this test for the wrong reason.
    expect(await logLine(hardened, url)).toContain('resolves to a denied IP address');
  });
});

describe('positive control: the same imports without the deny list', () => {
  it('imports from loopback and the probe server counts the hit', async () => {
    const before = hits.length;
    const response = await call(open, openAdmin, 'POST', '/files/import', {
      url: `http://127.0.0.1:${port}/x.txt?form=control`,
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(expect.objectContaining({ type: 'text/plain', filename_download: 'x.txt' }));
    expect(hits.slice(before)).toEqual(['/x.txt?form=control']);
    await call(open, openAdmin, 'DELETE', `/files/${(response.body.data as { id: string }).id}`);
  });

  it('reaches the host through a literal 0.0.0.0 and an IPv4-mapped IPv6 address too', async () => {
    for (const [form, url] of [
      ['zero', `http://0.0.0.0:${port}/x.txt?form=control-zero`],
      ['mapped', `http://[::ffff:127.0.0.1]:${port}/x.txt?form=control-mapped`],
    ] as const) {
      const before = hits.length;
      const response = await call(open, openAdmin, 'POST', '/files/import', { url });
      expect([form, response.status, hits.slice(before)]).toEqual([form, 200, [`/x.txt?form=control-${form}`]]);
      await call(open, openAdmin, 'DELETE', `/files/${(response.body.data as { id: string }).id}`);
    }
  });
});

describe('CVE-2026-61836: shares with the response cache on', () => {
  it('grants no policy any permission on directus_shares, and a non-admin cannot create a share', async () => {
    const permissions = await call(
      hardened,
      hardenedAdmin,
      'GET',
      '/permissions?filter[collection][_eq]=directus_shares&limit=-1',
    );
    expect(permissions.status).toBe(200);
    const rows = permissions.body.data as Array<{ policy: string | null; action: string; system?: boolean }>;
    // Only Directus's built-in, non-stored read of one's own shares (policy null, system) may be listed.
    expect(rows.filter((row) => !row.system || row.policy !== null)).toEqual([]);
    expect(rows.every((row) => row.action === 'read')).toBe(true);

    const email = `advisory-agent-${run}@desk.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await call(hardened, hardenedAdmin, 'POST', '/users', { email, password, role: ROLE.agent });
    expect(created.status).toBe(200);
    const login = await getJson(`${hardened.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const agent = (login.body.data as { access_token: string }).access_token;
    const share = await call(hardened, agent, 'POST', '/shares', {
      collection: 'tickets',
      item: randomBytes(8).toString('hex'),
    });
    expect(share.status).toBe(403);
    expectErrorEnvelope(share, 'FORBIDDEN');
  });

  const organization = async (label: string) => {
    const made = await call(open, openAdmin, 'POST', '/items/organizations', {
      name: `Cache shares ${label} ${run}`,
      domain: `cache-shares-${label}-${run}.example.com`,
    });
    expect(made.status).toBe(200);
    return (made.body.data as { id: string }).id;
  };
  const makeShare = async (item: string) => {
    const made = await call(open, openAdmin, 'POST', '/shares', { collection: 'organizations', item });
    expect(made.status).toBe(200);
    return (made.body.data as { id: string }).id;
  };
  const signIn = (instance: DirectusInstance, share: string) =>
    getJson(`${instance.baseUrl}/shares/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ share, mode: 'json' }),
    });
  const refresh = (instance: DirectusInstance, token: string) =>
    getJson(`${instance.baseUrl}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token, mode: 'json' }),
    });

  it('refuses an admin’s share and a link’s sign-in, saying why; an admin may still end a share', async () => {
    const item = await organization('refused');
    const made = await call(hardened, hardenedAdmin, 'POST', '/shares', { collection: 'organizations', item });
    expect(made.status).toBe(403);
    expectErrorEnvelope(made, 'FORBIDDEN');
    expect(made.text).toContain('CVE-2026-61836');

    // A share made where the cache is off (the control: it signs in there) does not sign in with the cache on.
    const share = await makeShare(item);
    expect((await signIn(open, share)).status).toBe(200);
    const refused = await signIn(hardened, share);
    expect(refused.status).toBe(403);
    expectErrorEnvelope(refused, 'FORBIDDEN');
    expect(refused.text).toContain('CVE-2026-61836');

    const ended = await call(hardened, hardenedAdmin, 'PATCH', `/shares/${share}`, {
      date_end: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(ended.status).toBe(200);
    expect((await signIn(open, share)).status).toBe(401);
  });

  it('a boot with the cache on ends the sessions links opened while it was off', async () => {
    const share = await makeShare(await organization('sessions'));
    const first = await signIn(open, share);
    expect(first.status).toBe(200);
    // The control: the link's session refreshes while no instance with the cache on has booted since it opened.
    const renewed = await refresh(open, (first.body.data as { refresh_token: string }).refresh_token);
    expect(renewed.status).toBe(200);

    const booted = await startInstance({
      db,
      name: 'advisories-cache-boot',
      env: { ...baseline, CACHE_ENABLED: 'true' },
    });
    try {
      const after = await refresh(open, (renewed.body.data as { refresh_token: string }).refresh_token);
      expect(after.status).toBe(401);
      expectErrorEnvelope(after, 'INVALID_CREDENTIALS');
    } finally {
      await booted.stop();
    }
  });
});

describe('CVE-2026-129239: no non-admin writes a share, even with a permission that would allow it', () => {
  it('refuses an agent creating a share or changing one (an admin’s, or one it owns) over REST and GraphQL', async () => {
    const email = `advisory-shares-${run}@desk.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const user = await call(open, openAdmin, 'POST', '/users', { email, password, role: ROLE.agent });
    const agentId = (user.body.data as { id: string }).id;
    // The attack needs a share permission; grant one on a policy of this user only, so the platform's filter is
    // what refuses (without it, every write below succeeds).
    const policy = await call(open, openAdmin, 'POST', '/policies', {
      name: `share writer ${run}`,
      app_access: true,
      permissions: (['create', 'update', 'read'] as const).map((action) => ({
        collection: 'directus_shares',
        action,
        fields: ['*'],
      })),
    });
    expect(policy.status).toBe(200);
    const policyId = (policy.body.data as { id: string }).id;
    try {
      expect((await call(open, openAdmin, 'POST', '/access', { user: agentId, policy: policyId })).status).toBe(200);
      const org = await call(open, openAdmin, 'POST', '/items/organizations', {
        name: `Shares ${run}`,
        domain: `shares-${run}.example.com`,
      });
      const item = (org.body.data as { id: string }).id;
      const share = async () => {
        const made = await call(open, openAdmin, 'POST', '/shares', { collection: 'organizations', item });
        expect(made.status).toBe(200);
        return (made.body.data as { id: string }).id;
      };
      const adminShare = await share();
      const ownShare = await share();
      expect((await call(open, openAdmin, 'PATCH', `/shares/${ownShare}`, { user_created: agentId })).status).toBe(200);

      const login = await getJson(`${open.baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const agent = (login.body.data as { access_token: string }).access_token;
      const managerRole = ROLE.manager;
      for (const id of [adminShare, ownShare]) {
        const patched = await call(open, agent, 'PATCH', `/shares/${id}`, {
          role: managerRole,
          user_created: agentId,
        });
        expect([id, patched.status]).toEqual([id, 403]);
        expectErrorEnvelope(patched, 'FORBIDDEN');
        const graphql = await call(open, agent, 'POST', '/graphql/system', {
          query: `mutation { update_shares_item(id: "${id}", data: { role: "${managerRole}" }) { id } }`,
        });
        expect([id, (graphql.body.errors as unknown[] | undefined)?.length ?? 0]).toEqual([id, 1]);
      }
      const batch = await call(open, agent, 'PATCH', '/shares', {
        keys: [adminShare, ownShare],
        data: { role: managerRole },
      });
      expect(batch.status).toBe(403);
      const created = await call(open, agent, 'POST', '/shares', { collection: 'organizations', item });
      expect(created.status).toBe(403);
      expectErrorEnvelope(created, 'FORBIDDEN');

      const rows = await call(
        open,
        openAdmin,
        'GET',
        `/shares?filter[item][_eq]=${item}&fields=id,role,user_created&limit=-1`,
      );
      const shares = rows.body.data as Array<{ id: string; role: string | null; user_created: string }>;
      expect(shares).toHaveLength(2);
      expect(shares.every((row) => row.role === null)).toBe(true);
      expect(shares.find((row) => row.id === adminShare)?.user_created).not.toBe(agentId);
    } finally {
      await call(open, openAdmin, 'DELETE', `/policies/${policyId}`);
    }
  });
});

// API keys (issue 10, story 14, BE-903; decision 0020) on the main test instance: an admin mints a key shown once
// and stored hashed; the key gets its policy's permissions and no more over REST and GraphQL; wrong, garbled,
// expired and revoked keys get 401 (revocation on the next request); last use is recorded at most once a minute;
// only admins manage keys; keys that require signatures refuse missing, bad, stale, tampered and replayed ones;
// static tokens are for admins only.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY } from '../spec/service-desk/access.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, getJson, mintApiKey, type MintedApiKey } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, ticketIn, type Desk } from './fixtures.js';

let desk: Desk;
let integration: MintedApiKey;

const KEYS = '/groundwork/v1/api-keys';
const base = () => harness().baseUrl;

async function graphql(token: string, query: string) {
  return getJson(`${base()}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}

async function events(keyId: string) {
  return (await desk
    .db('groundwork.security_events')
    .whereRaw("detail->>'key_id' = ?", [keyId])
    .orderBy('id')
    .select('type', 'outcome', 'detail')) as Array<{ type: string; outcome: string; detail: Record<string, unknown> }>;
}

beforeAll(async () => {
  desk = await createDesk('keys');
  integration = await mintApiKey(desk.admin, POLICY.integration, { name: `integration ${desk.run}` });
}, 120_000);

afterAll(async () => {
  await desk?.db.destroy();
});

describe('minting', () => {
  it('shows the key once; lists, reads and the database row never hold the secret', async () => {
    expect(integration.key).toMatch(/^gw_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(integration.signing_secret).toBeNull();
    const secret = integration.key.split('_').slice(2).join('_');
    const list = await call(desk.admin, 'GET', KEYS);
    expect(list.status).toBe(200);
    const listed = (list.body.data as Array<Record<string, unknown>>).find((key) => key.id === integration.id)!;
    expect(listed).toMatchObject({ status: 'active', policy: POLICY.integration, user: integration.user });
    const one = await call(desk.admin, 'GET', `${KEYS}/${integration.id}`);
    expect(one.status).toBe(200);
    for (const answer of [list.text, one.text]) {
      expect(answer).not.toContain(secret);
      expect(answer).not.toContain('secret_hash');
      expect(answer).not.toContain('"key"');
    }
    const row = (await desk.db('groundwork.api_keys').where({ id: integration.id }).first()) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    // The service user: no password, no static token, no role.
    const user = (await desk.db('directus_users').where({ id: integration.user }).first()) as Record<string, unknown>;
    expect(user).toMatchObject({ password: null, token: null, role: null, status: 'active' });
    const created = await events(integration.id);
    expect(created[0]).toMatchObject({ type: 'api_key', outcome: 'created' });
    expect(JSON.stringify(created)).not.toContain(secret);
  });

  it('validates the body: bad input 400, unknown policy 404, admin policy 409, expiry in the past 400', async () => {
    const post = (body: unknown) => call(desk.admin, 'POST', KEYS, body);
    expectErrorEnvelope(await post({ name: '', policy: 'nope' }), 'INVALID_PAYLOAD');
    expectErrorEnvelope(await post({ name: 'x', policy: POLICY.integration, extra: 1 }), 'INVALID_PAYLOAD');
    const past = await post({ name: 'x', policy: POLICY.integration, expires_at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    const unknown = await post({ name: 'x', policy: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    const adminPolicy = (await desk.db('directus_policies').where({ admin_access: true }).first('id')) as {
      id: string;
    };
    const admin = await post({ name: 'x', policy: adminPolicy.id });
    expect(admin.status).toBe(409);
    expectErrorEnvelope(admin, 'CONFLICT');
    expectErrorEnvelope(await call(desk.admin, 'GET', `${KEYS}/not-a-uuid`), 'INVALID_PARAMS');
  });

  it('lets no one but admins create, list, read or revoke keys', async () => {
    const other = await mintApiKey(desk.admin, POLICY.integration);
    for (const token of [
      desk.users.manager.token,
      desk.users.agent.token,
      desk.users.customer.token,
      integration.key,
    ]) {
      for (const [method, route, body] of [
        ['POST', KEYS, { name: 'mine', policy: POLICY.integration }],
        ['GET', KEYS, undefined],
        ['GET', `${KEYS}/${other.id}`, undefined],
        ['POST', `${KEYS}/${other.id}/revoke`, undefined],
      ] as const) {
        const answer = await call(token, method, route, body);
        expect([method, route, answer.status]).toEqual([method, route, 403]);
        expectErrorEnvelope(answer, 'FORBIDDEN');
      }
    }
    const anonymous = await getJson(`${base()}${KEYS}`);
    expect(anonymous.status).toBe(401);
    expect((await call(desk.admin, 'GET', `${KEYS}/${other.id}`)).body.data).toMatchObject({ status: 'active' });
  });
});

describe('what a key may do', () => {
  it("gets the Integration policy's permissions over REST, and nothing more", async () => {
    const organizations = await call(integration.key, 'GET', '/items/organizations?fields=id,name&limit=5');
    expect(organizations.status).toBe(200);
    expect((organizations.body.data as unknown[]).length).toBeGreaterThan(0);
    const created = await call(integration.key, 'POST', '/items/tickets', {
      subject: `key ticket ${desk.run}`,
      description: 'opened with an API key',
      priority: 'normal',
      organization: desk.org.id,
      requester: desk.users.customer.id,
    });
    expect(created.status).toBe(200);
    const ticket = (created.body.data as { id: string }).id;
    const row = (await desk.db('tickets').where({ id: ticket }).first('channel', 'user_created')) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ channel: 'api', user_created: integration.user });

    const existing = await ticketIn(desk, 'open');
    for (const [method, route] of [
      ['DELETE', `/items/tickets/${existing}`],
      ['GET', '/items/ticket_messages?limit=1'],
      ['GET', '/users?limit=1'],
      ['GET', '/policies?limit=1'],
      ['GET', '/groundwork/v1/jobs'],
    ] as const) {
      const answer = await call(integration.key, method, route);
      expect([method, route, answer.status]).toEqual([method, route, 403]);
    }
    expect(await desk.db('tickets').where({ id: existing }).first('id')).toBeDefined();
  });

  it('over GraphQL too', async () => {
    const allowed = await graphql(integration.key, '{ organizations(limit: 1) { id name } }');
    expect(allowed.status).toBe(200);
    expect((allowed.body.data as { organizations: unknown[] }).organizations).toHaveLength(1);
    const refused = await graphql(integration.key, '{ ticket_messages(limit: 1) { id body } }');
    expect(JSON.stringify(refused.body)).toMatch(/FORBIDDEN|GRAPHQL_VALIDATION|Cannot query field/);
    expect(refused.body.data ?? null).toBeNull();
    const existing = await ticketIn(desk, 'open');
    const remove = await graphql(integration.key, `mutation { delete_tickets_item(id: "${existing}") { id } }`);
    expect(remove.body.errors).toBeDefined();
    expect(await desk.db('tickets').where({ id: existing }).first('id')).toBeDefined();
  });
});

describe('refusals', () => {
  it('answers 401 with the error envelope to wrong, garbled, expired and revoked keys', async () => {
    const [prefix] = integration.key.split('_').slice(1, 2);
    const wrongSecret = `gw_${prefix}_${'A'.repeat(43)}`;
    const unknownPrefix = `gw_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    for (const token of [wrongSecret, unknownPrefix, 'gw_garbled', `${integration.key}x`]) {
      for (const answer of [
        await call(token, 'GET', '/items/organizations?limit=1'),
        await graphql(token, '{ organizations(limit: 1) { id } }'),
      ]) {
        expect(answer.status).toBe(401);
        expectErrorEnvelope(answer, 'INVALID_CREDENTIALS');
      }
    }
    expect((await events(integration.id)).some((e) => e.detail.reason === 'bad_secret')).toBe(true);

    const expiring = await mintApiKey(desk.admin, POLICY.integration);
    expect((await call(expiring.key, 'GET', '/items/organizations?limit=1')).status).toBe(200);
    await desk
      .db('groundwork.api_keys')
      .where({ id: expiring.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await call(expiring.key, 'GET', '/items/organizations?limit=1');
    expect(expired.status).toBe(401);
    expectErrorEnvelope(expired, 'INVALID_CREDENTIALS');
    expect((await call(desk.admin, 'GET', `${KEYS}/${expiring.id}`)).body.data).toMatchObject({ status: 'expired' });
    expect((await events(expiring.id)).map((e) => e.detail.reason)).toContain('expired');
  });

  it('refuses a revoked key from the next request on, and records who revoked it', async () => {
    const key = await mintApiKey(desk.admin, POLICY.integration);
    expect((await call(key.key, 'GET', '/items/organizations?limit=1')).status).toBe(200);
    const revoked = await call(desk.admin, 'POST', `${KEYS}/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toMatchObject({ status: 'revoked' });
    const next = await call(key.key, 'GET', '/items/organizations?limit=1');
    expect(next.status).toBe(401);
    expectErrorEnvelope(next, 'INVALID_CREDENTIALS');
    expect((await graphql(key.key, '{ organizations(limit: 1) { id } }')).status).toBe(401);
    const recorded = await events(key.id);
    expect(recorded.map((e) => e.outcome)).toEqual(['created', 'revoked', 'refused', 'refused']);
    expect(recorded[2]!.detail).toMatchObject({ reason: 'revoked', prefix: key.key.split('_')[1] });
    expect(JSON.stringify(recorded)).not.toContain(key.key);
  });

  it('follows its service user and policy link: suspended user or removed policy refuses', async () => {
    const key = await mintApiKey(desk.admin, POLICY.integration);
    expect((await call(key.key, 'GET', '/items/organizations?limit=1')).status).toBe(200);
    // The policy link removed (Directus clears its permission cache on access changes): no grant left.
    const links = await asAdmin<Array<{ id: string }>>(desk, 'GET', `/access?filter[user][_eq]=${key.user}&fields=id`);
    expect(links).toHaveLength(1);
    expect((await call(desk.admin, 'DELETE', `/access/${links[0]!.id}`)).status).toBe(204);
    expect((await call(key.key, 'GET', '/items/organizations?limit=1')).status).toBe(403);
    expect((await call(desk.admin, 'PATCH', `/users/${key.user}`, { status: 'suspended' })).status).toBe(200);
    const suspended = await call(key.key, 'GET', '/items/organizations?limit=1');
    expect(suspended.status).toBe(401);
    expect((await events(key.id)).map((e) => e.detail.reason)).toContain('user_inactive');
  });

  it('records last use at most once a minute', async () => {
    const key = await mintApiKey(desk.admin, POLICY.integration);
    const lastUse = async () =>
      (
        (await desk.db('groundwork.api_keys').where({ id: key.id }).first('last_used_at')) as {
          last_used_at: Date | null;
        }
      ).last_used_at;
    expect(await lastUse()).toBeNull();
    await call(key.key, 'GET', '/items/organizations?limit=1');
    const first = await lastUse();
    expect(first).toBeInstanceOf(Date);
    await call(key.key, 'GET', '/items/organizations?limit=1');
    expect(await lastUse()).toEqual(first);
    const old = new Date(Date.now() - 2 * 60_000);
    await desk.db('groundwork.api_keys').where({ id: key.id }).update({ last_used_at: old });
    await call(key.key, 'GET', '/items/organizations?limit=1');
    expect((await lastUse())!.getTime()).toBeGreaterThan(old.getTime() + 60_000);
    expect((await call(desk.admin, 'GET', `${KEYS}/${key.id}`)).body.data).toMatchObject({
      last_used_at: expect.any(String),
    });
  });
});

describe('signed requests', () => {
  let signed: MintedApiKey;
  beforeAll(async () => {
    signed = await mintApiKey(desk.admin, POLICY.integration, { require_signature: true });
  });

  /** The documented scheme: v1 = HMAC-SHA256(signing secret, `${ts}\n${METHOD}\n${path+query}\n${sha256(body)}`). */
  function headersFor(method: string, path: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const digest = createHmac('sha256', signed.signing_secret!)
      .update(`${timestamp}\n${method}\n${path}\n${bodyHash}`)
      .digest('hex');
    return { 'x-groundwork-timestamp': String(timestamp), 'x-groundwork-signature': `v1=${digest}` };
  }

  async function send(method: string, path: string, body: string, headers: Record<string, string>) {
    return getJson(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${signed.key}`, 'content-type': 'application/json', ...headers },
      body: body || undefined,
    });
  }

  it('comes with its signing secret, once', async () => {
    expect(signed.signing_secret).toMatch(/^gws_/);
    const one = await call(desk.admin, 'GET', `${KEYS}/${signed.id}`);
    expect(one.text).not.toContain(signed.signing_secret);
    expect(one.body.data).toMatchObject({ require_signature: true });
  });

  it('accepts valid signatures, and refuses missing, bad, stale, tampered and replayed ones', async () => {
    const path = '/items/organizations?fields=id&limit=2';
    const valid = headersFor('GET', path, '');
    expect((await send('GET', path, '', valid)).status).toBe(200);
    const body = JSON.stringify({
      subject: `signed ${desk.run}`,
      description: 'signed request',
      priority: 'normal',
      organization: desk.org.id,
      requester: desk.users.customer.id,
    });
    const post = headersFor('POST', '/items/tickets', body);
    expect((await send('POST', '/items/tickets', body, post)).status).toBe(200);

    const refusals: Array<[string, Awaited<ReturnType<typeof send>>]> = [
      ['missing', await send('GET', path, '', {})],
      [
        'bad',
        await send('GET', path, '', {
          ...headersFor('GET', path, ''),
          'x-groundwork-signature': `v1=${'0'.repeat(64)}`,
        }),
      ],
      ['garbled', await send('GET', path, '', { ...headersFor('GET', path, ''), 'x-groundwork-signature': 'v1=zz' })],
      ['stale', await send('GET', path, '', headersFor('GET', path, '', Math.floor(Date.now() / 1000) - 6 * 60))],
      ['future', await send('GET', path, '', headersFor('GET', path, '', Math.floor(Date.now() / 1000) + 6 * 60))],
      ['other path', await send('GET', '/items/organizations?fields=*&limit=2', '', headersFor('GET', path, ''))],
      [
        'tampered body',
        await send(
          'POST',
          '/items/tickets',
          body.replace('signed request', 'tampered'),
          headersFor('POST', '/items/tickets', body),
        ),
      ],
      ['replay', await send('GET', path, '', valid)],
      ['replayed post', await send('POST', '/items/tickets', body, post)],
    ];
    for (const [what, answer] of refusals) {
      expect([what, answer.status]).toEqual([what, 401]);
      expectErrorEnvelope(answer, 'INVALID_CREDENTIALS');
    }
    expect(
      await desk
        .db('tickets')
        .where({ subject: `signed ${desk.run}` })
        .count({ n: '*' }),
    ).toEqual([{ n: '1' }]);
    const reasons = (await events(signed.id)).map((e) => e.detail.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'signature_missing',
        'signature_bad',
        'signature_malformed',
        'signature_stale',
        'replay',
      ]),
    );
  });
});

describe('static tokens', () => {
  it('are refused on non-admin users, on write and on use; admins may keep one', async () => {
    const user = desk.users.agent.id;
    const write = await call(desk.admin, 'PATCH', `/users/${user}`, { token: `static-${desk.run}` });
    expect(write.status).toBe(400);
    expectErrorEnvelope(write, 'INVALID_PAYLOAD');
    const create = await call(desk.admin, 'POST', '/users', {
      email: `static-${desk.run}@keys.example.com`,
      role: (await desk.db('directus_users').where({ id: user }).first('role')).role,
      token: `static-new-${desk.run}`,
    });
    expect(create.status).toBe(400);
    // Written before the rule (straight into the database): refused on use.
    await desk
      .db('directus_users')
      .where({ id: user })
      .update({ token: `legacy-${desk.run}` });
    const used = await call(`legacy-${desk.run}`, 'GET', '/items/tickets?limit=1');
    expect(used.status).toBe(401);
    expectErrorEnvelope(used, 'INVALID_CREDENTIALS');
    await desk.db('directus_users').where({ id: user }).update({ token: null });
    // Clearing a token is always allowed; an admin's own static token still works.
    expect((await call(desk.admin, 'PATCH', `/users/${user}`, { token: null })).status).toBe(200);
    const me = await asAdmin<{ id: string }>(desk, 'GET', '/users/me?fields=id');
    expect((await call(desk.admin, 'PATCH', `/users/${me.id}`, { token: `admin-${desk.run}` })).status).toBe(200);
    expect((await call(`admin-${desk.run}`, 'GET', '/users/me?fields=id')).status).toBe(200);
    await desk.db('directus_users').where({ id: me.id }).update({ token: null });
  });
});

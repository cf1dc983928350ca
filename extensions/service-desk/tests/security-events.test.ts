// Security events end to end (issue 10, story 13; decision 0019) on a Directus of its own that mails through the SMTP
// capture, with a low burst threshold: each kind of event is caused by a real HTTP action carrying its own
// X-Request-Id, then read back through GET /groundwork/v1/security/events as the admin. Also: no secret in any row,
// the burst alert (in-app and email, once per window), the retention prune, and every non-admin refused the route.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import { POLICY, ROLE } from '../spec/service-desk/access.js';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../scripts/lib/smtp-capture.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, freshOtp, getJson, mintApiKey, until } from '../../../tests/integration/http.js';

const PASSWORD = 'security events test password 1';
const NEW_PASSWORD = 'a fresh reset password 2';
const DOMAIN = 'events-corp.example.com';
const BURST_THRESHOLD = 5;
const EVENTS_ROUTE = '/groundwork/v1/security/events';

let smtp: SmtpCapture;
let db: PgConnection;
let instance: DirectusInstance;
let sql: Knex;
let admin: string;
let adminId: string;
let organization: string;
/** Everything secret the test handles: none of it may appear in an event. */
const secrets = new Set<string>([PASSWORD, NEW_PASSWORD, harness().admin.password]);
const emails = new Set<string>([harness().admin.email]);

interface EventRow {
  id: string;
  occurred_at: string;
  type: string;
  outcome: string;
  actor_id: string | null;
  user_id: string | null;
  account_key: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

async function call(
  method: string,
  route: string,
  options: { token?: string; body?: unknown; requestId?: string } = {},
) {
  return getJson(`${instance.baseUrl}${route}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function ok<T = Record<string, unknown>>(
  method: string,
  route: string,
  options: { token?: string; body?: unknown; requestId?: string } = {},
) {
  const response = await call(method, route, { token: admin, ...options });
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

async function login(email: string, password = PASSWORD, requestId?: string) {
  return call('POST', '/auth/login', { body: { email, password }, ...(requestId ? { requestId } : {}) });
}

async function tokensOf(email: string, password = PASSWORD) {
  const response = await login(email, password);
  expect([email, response.status]).toEqual([email, 200]);
  const data = response.body.data as { access_token: string; refresh_token: string };
  secrets.add(data.access_token);
  secrets.add(data.refresh_token);
  return data;
}

async function createUser(email: string, role: string, extra: Record<string, unknown> = {}) {
  emails.add(email);
  const user = await ok<{ id: string }>('POST', '/users', {
    body: { email, password: PASSWORD, role, status: 'active', ...extra },
  });
  return user.id;
}

const newRequestId = (what: string) => `se-${what}-${randomUUID().slice(0, 8)}`;

/** Events read through the route as the admin. */
async function events(query: Record<string, string> = {}): Promise<{ data: EventRow[]; next: string | null }> {
  const response = await call('GET', `${EVENTS_ROUTE}?${new URLSearchParams(query).toString()}`, { token: admin });
  expect([response.status, response.text.slice(0, 200)]).toEqual([200, expect.any(String)]);
  const body = response.body as unknown as { data: EventRow[]; meta: { next_cursor: string | null } };
  return { data: body.data, next: body.meta.next_cursor };
}

/** Waits for the event the request caused (they are written after the answer). */
async function eventOf(requestId: string, type: string): Promise<EventRow> {
  return until(`a ${type} event of ${requestId}`, async () => {
    const { data } = await events({ type, limit: '500' });
    return data.find((event) => event.request_id === requestId);
  });
}

function expectFromTest(event: EventRow, requestId: string) {
  expect(event.request_id).toBe(requestId);
  expect(event.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
  expect(event.occurred_at).toEqual(expect.any(String));
}

const tokenIn = (mail: CapturedMail, path: string) => {
  const link = mail.links.find((candidate) => candidate.includes(path));
  if (!link) throw new Error(`no ${path} link in "${mail.subject}": ${mail.links.join(', ')}`);
  return new URL(link).searchParams.get('token')!;
};

beforeAll(async () => {
  smtp = await startSmtpCapture();
  db = await migratedTestDatabase('security_events');
  instance = await startMigratedInstance({
    db,
    name: 'security-events',
    env: {
      ...smtp.env,
      GROUNDWORK_SECURITY_BURST_THRESHOLD: String(BURST_THRESHOLD),
      GROUNDWORK_SECURITY_BURST_WINDOW_SECONDS: '3600',
      GROUNDWORK_LOGIN_FREE_ATTEMPTS: '2',
      GROUNDWORK_LOGIN_BACKOFF_BASE_MS: '60000',
      GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS: '1',
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
      RATE_LIMITER_REGISTRATION_ENABLED: 'false',
    },
  });
  sql = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: 2 } });
  admin = (await tokensOf(harness().admin.email, harness().admin.password)).access_token;
  adminId = (await ok<{ id: string }>('GET', '/users/me?fields=id')).id;
  organization = (
    await ok<{ id: string }>('POST', '/items/organizations', { body: { name: 'Events', domain: DOMAIN } })
  ).id;
}, 180_000);

afterAll(async () => {
  await instance?.stop();
  await sql?.destroy();
  if (db) await dropDatabase(harness().server, db.database);
  await smtp?.stop();
});

describe('each kind of event, caused over HTTP and read back as the admin', () => {
  it('records a failed login and a throttled one, about the account, without the address', async () => {
    const email = 'login.target@desk.example.com';
    const userId = await createUser(email, ROLE.agent);
    const failed = newRequestId('failed');
    expect((await login(email, 'wrong password 1', failed)).status).toBe(401);
    const event = await eventOf(failed, 'login');
    expectFromTest(event, failed);
    expect(event).toMatchObject({ outcome: 'failed', user_id: userId, actor_id: null });
    expect(event.account_key).toMatch(/^[0-9a-f]{16,}$/);

    expect((await login(email, 'wrong password 2')).status).toBe(401);
    const throttled = newRequestId('throttled');
    expect((await login(email, 'wrong password 3', throttled)).status).toBe(429);
    expect(await eventOf(throttled, 'login')).toMatchObject({ outcome: 'throttled', user_id: userId });
  });

  it('records a 403 on a /groundwork route with who was refused what', async () => {
    const agentId = await createUser('denied.agent@desk.example.com', ROLE.agent);
    const { access_token } = await tokensOf('denied.agent@desk.example.com');
    const requestId = newRequestId('denied');
    const response = await call('GET', `${EVENTS_ROUTE}?limit=1`, { token: access_token, requestId });
    expect(response.status).toBe(403);
    const event = await eventOf(requestId, 'access_denied');
    expectFromTest(event, requestId);
    expect(event).toMatchObject({
      outcome: 'forbidden',
      actor_id: agentId,
      detail: { method: 'GET', path: EVENTS_ROUTE, status: 403 },
    });
  });

  it("records a user's role change by the admin", async () => {
    const userId = await createUser('promoted@desk.example.com', ROLE.agent);
    const requestId = newRequestId('role');
    await ok('PATCH', `/users/${userId}`, { body: { role: ROLE.manager }, requestId });
    const event = await eventOf(requestId, 'user_role');
    expectFromTest(event, requestId);
    expect(event).toMatchObject({
      outcome: 'changed',
      actor_id: adminId,
      user_id: userId,
      detail: { role: ROLE.manager },
    });
  });

  it('records a permission created and a policy updated', async () => {
    const created = newRequestId('permission');
    const permission = await ok<{ id: number }>('POST', '/permissions', {
      body: { policy: POLICY.integration, collection: 'tags', action: 'read', fields: ['id'] },
      requestId: created,
    });
    const event = await eventOf(created, 'permission');
    expectFromTest(event, created);
    expect(event).toMatchObject({
      outcome: 'created',
      actor_id: adminId,
      detail: { keys: [String(permission.id)], collection: 'tags', action: 'read', policy: POLICY.integration },
    });

    const updated = newRequestId('policy');
    await ok('PATCH', `/policies/${POLICY.integration}`, {
      body: { description: 'changed by the test' },
      requestId: updated,
    });
    expect(await eventOf(updated, 'policy')).toMatchObject({
      outcome: 'updated',
      actor_id: adminId,
      detail: { keys: [POLICY.integration], fields: ['description'] },
    });
  });

  it('records a deactivation (tokens revoked, status changed) and the refusal of the old token afterwards', async () => {
    const email = 'leaving@desk.example.com';
    const userId = await createUser(email, ROLE.agent);
    const { access_token } = await tokensOf(email);
    const requestId = newRequestId('deactivate');
    await ok('POST', `/groundwork/v1/users/${userId}/deactivate`, { body: { status: 'suspended' }, requestId });
    const revoked = await eventOf(requestId, 'token');
    expectFromTest(revoked, requestId);
    expect(revoked).toMatchObject({
      outcome: 'revoked',
      actor_id: adminId,
      user_id: userId,
      detail: { reason: 'deactivation', status: 'suspended', sessions: 1 },
    });
    expect(await eventOf(requestId, 'user_status')).toMatchObject({ user_id: userId, detail: { status: 'suspended' } });

    const stale = newRequestId('stale');
    expect((await call('GET', '/users/me', { token: access_token, requestId: stale })).status).toBe(401);
    expect(await eventOf(stale, 'token')).toMatchObject({
      outcome: 'refused',
      user_id: userId,
      detail: { channel: 'http' },
    });
  });

  it('records a logout', async () => {
    const email = 'logout@desk.example.com';
    const userId = await createUser(email, ROLE.agent);
    const { refresh_token } = await tokensOf(email);
    const requestId = newRequestId('logout');
    expect((await call('POST', '/auth/logout', { body: { refresh_token }, requestId })).status).toBeLessThan(300);
    const event = await eventOf(requestId, 'token');
    expectFromTest(event, requestId);
    expect(event).toMatchObject({ outcome: 'logout', user_id: userId, actor_id: userId });
  });

  it('records a password reset request and its completion', async () => {
    const email = 'reset@desk.example.com';
    const userId = await createUser(email, ROLE.agent);
    const requested = newRequestId('reset-request');
    expect((await call('POST', '/auth/password/request', { body: { email }, requestId: requested })).status).toBe(204);
    const request = await eventOf(requested, 'password_reset');
    expectFromTest(request, requested);
    expect(request).toMatchObject({ outcome: 'requested', user_id: userId });

    const token = tokenIn(await smtp.waitFor((mail) => mail.to.includes(email)), '/admin/reset-password');
    secrets.add(token);
    const completed = newRequestId('reset-complete');
    const reset = await call('POST', '/auth/password/reset', {
      body: { token, password: NEW_PASSWORD },
      requestId: completed,
    });
    expect(reset.status).toBe(204);
    expect(await eventOf(completed, 'password_reset')).toMatchObject({ outcome: 'completed', user_id: userId });
  });

  it('records TOTP turned on and off, never the secret', async () => {
    const email = 'totp@desk.example.com';
    const userId = await createUser(email, ROLE.agent);
    const { access_token } = await tokensOf(email);
    const generated = await call('POST', '/users/me/tfa/generate', {
      token: access_token,
      body: { password: PASSWORD },
    });
    expect(generated.status).toBe(200);
    const { secret } = generated.body.data as { secret: string };
    secrets.add(secret);

    const enabled = newRequestId('tfa-on');
    const enable = await call('POST', '/users/me/tfa/enable', {
      token: access_token,
      body: { secret, otp: await freshOtp(secret) },
      requestId: enabled,
    });
    expect(enable.status).toBe(204);
    const on = await eventOf(enabled, 'tfa');
    expectFromTest(on, enabled);
    expect(on).toMatchObject({ outcome: 'enabled', actor_id: userId, user_id: userId });

    const disabled = newRequestId('tfa-off');
    const disable = await call('POST', '/users/me/tfa/disable', {
      token: access_token,
      body: { otp: await freshOtp(secret) },
      requestId: disabled,
    });
    expect(disable.status).toBe(204);
    expect(await eventOf(disabled, 'tfa')).toMatchObject({ outcome: 'disabled', actor_id: userId, user_id: userId });
  });

  it('records a registration', async () => {
    const email = `new.person@${DOMAIN}`;
    emails.add(email);
    const requestId = newRequestId('register');
    const response = await call('POST', '/users/register', { body: { email, password: PASSWORD }, requestId });
    expect(response.status).toBe(204);
    const event = await eventOf(requestId, 'registration');
    expectFromTest(event, requestId);
    expect(event.outcome).toBe('verification_sent');
    expect(event.account_key).toMatch(/^[0-9a-f]{16,}$/);
  });

  it('keeps no password, token, TOTP secret or address in any event', async () => {
    const rows: EventRow[] = [];
    let cursor: string | null = null;
    do {
      const page = await events({ limit: '50', ...(cursor ? { cursor } : {}) });
      rows.push(...page.data);
      cursor = page.next;
    } while (cursor);
    expect(rows.length).toBeGreaterThan(15);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length); // pages do not overlap
    const text = JSON.stringify(rows);
    const found = [...secrets, ...emails].filter((secret) => text.toLowerCase().includes(secret.toLowerCase()));
    expect(found).toEqual([]);
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    // Every column the route shows, straight from the table too (the route might have hidden one).
    const raw = JSON.stringify(await sql('groundwork.security_events').select());
    expect([...secrets, ...emails].filter((secret) => raw.toLowerCase().includes(secret.toLowerCase()))).toEqual([]);
  });

  it('filters by type, outcome, user and time, and refuses a bad filter with 400', async () => {
    const { data } = await events({ type: 'login', outcome: 'throttled' });
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((event) => event.type === 'login' && event.outcome === 'throttled')).toBe(true);
    const byAdmin = await events({ user: adminId, limit: '500' });
    expect(byAdmin.data.every((event) => event.actor_id === adminId || event.user_id === adminId)).toBe(true);
    expect(byAdmin.data.some((event) => event.type === 'user_role')).toBe(true);
    const future = await events({ since: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.data).toEqual([]);
    const past = await events({ until: '2000-01-01T00:00:00Z' });
    expect(past.data).toEqual([]);
    for (const query of ['limit=0', 'user=nope', 'since=yesterday', 'cursor=abc', 'colour=red']) {
      const response = await call('GET', `${EVENTS_ROUTE}?${query}`, { token: admin });
      expect([query, response.status]).toEqual([query, 400]);
      expectErrorEnvelope(response, 'INVALID_QUERY');
    }
  });
});

describe('burst alert', () => {
  const subjectOf = 'Security alert:';

  it('alerts every admin once per window, in the app and by email, when failed logins pass the threshold', async () => {
    const email = 'burst.target@desk.example.com';
    await createUser(email, ROLE.agent);
    for (let attempt = 0; attempt <= BURST_THRESHOLD; attempt++) await login(email, `wrong ${attempt}`);
    const notification = await until(
      'the in-app burst alert',
      async () =>
        (
          await sql('directus_notifications').where({ recipient: adminId }).whereLike('subject', `${subjectOf}%logins%`)
        )[0],
    );
    expect(notification.message).toContain(`more than ${BURST_THRESHOLD}`);
    const mail = await smtp.waitFor(
      (candidate) => candidate.to.includes(harness().admin.email) && candidate.subject.startsWith(subjectOf),
    );
    expect(mail.subject).toContain('logins');

    // More failures in the same window: no second alert.
    const loginEvents = async () => (await events({ type: 'login', limit: '500' })).data.length;
    const before = await loginEvents();
    for (let attempt = 0; attempt < 3; attempt++) await login(email, `again ${attempt}`);
    await until('the later failures recorded', async () => (await loginEvents()) >= before + 3);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const alerts = await sql('notification_outbox')
      .where({ recipient: adminId })
      .whereLike('key', 'security-burst:login:%');
    expect(alerts.map((row: { channel: string }) => row.channel).sort()).toEqual(['email', 'in_app']);
    expect(
      await sql('directus_notifications').where({ recipient: adminId }).whereLike('subject', `${subjectOf}%logins%`),
    ).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.subject.startsWith(subjectOf) && m.subject.includes('logins'))).toHaveLength(
      1,
    );
  });
});

describe('retention', () => {
  it('the security.prune job deletes events older than the retention and keeps newer ones', async () => {
    const [old] = (await sql('groundwork.security_events')
      .insert({ type: 'test', outcome: 'old', occurred_at: sql.raw("now() - interval '181 days'") })
      .returning('id')) as Array<{ id: string }>;
    const [recent] = (await sql('groundwork.security_events')
      .insert({ type: 'test', outcome: 'recent', occurred_at: sql.raw("now() - interval '179 days'") })
      .returning('id')) as Array<{ id: string }>;
    await sql.raw("SELECT public.groundwork_enqueue('security.prune', '{}'::jsonb)");
    await until(
      'the old event pruned',
      async () => !(await sql('groundwork.security_events').where({ id: old!.id }).first()),
    );
    expect(await sql('groundwork.security_events').where({ id: recent!.id }).first()).toBeDefined();
  });
});

describe('who may read security events', () => {
  const roles: Array<[string, string]> = [
    ['Manager', ROLE.manager],
    ['Agent', ROLE.agent],
    ['Content Editor', ROLE.contentEditor],
    ['Customer', ROLE.customer],
  ];

  it.each(roles)('refuses a %s with 403', async (name, role) => {
    const email = `reader.${name.replace(' ', '').toLowerCase()}@${DOMAIN}`;
    await createUser(email, role, role === ROLE.customer ? { organization } : {});
    const { access_token } = await tokensOf(email);
    for (const query of ['', '?type=login', '?limit=0']) {
      const response = await call('GET', `${EVENTS_ROUTE}${query}`, { token: access_token });
      expect([name, query, response.status]).toEqual([name, query, 403]);
      expectErrorEnvelope(response, 'FORBIDDEN');
    }
  });

  it('refuses an Integration API key with 403', async () => {
    const { key: token } = await mintApiKey(admin, POLICY.integration, {}, instance.baseUrl);
    secrets.add(token);
    const response = await call('GET', EVENTS_ROUTE, { token });
    expect(response.status).toBe(403);
    expectErrorEnvelope(response, 'FORBIDDEN');
  });

  it('refuses the public with 401', async () => {
    const response = await call('GET', EVENTS_ROUTE);
    expect(response.status).toBe(401);
    expectErrorEnvelope(response, 'INVALID_CREDENTIALS');
  });

  it('serves the admin', async () => {
    expect((await call('GET', EVENTS_ROUTE, { token: admin })).status).toBe(200);
  });
});

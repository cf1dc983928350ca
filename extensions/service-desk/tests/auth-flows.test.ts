// Auth flows end to end on a Directus of their own that mails through the SMTP capture: registration with
// organization matching and email verification, sessions, password reset, staff invitation, password policy,
// TOTP, app access, self-service profile, and deactivation (BE-301) with every credential revoked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, withClient, type PgConnection } from '../../../scripts/lib/postgres.js';
import { ROLE } from '../spec/service-desk/access.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../scripts/lib/smtp-capture.js';
import { expectErrorEnvelope, freshOtp, getJson } from '../../../tests/integration/http.js';

const FRONTEND_RESET = 'http://localhost:5173/reset-password';
const STRONG = 'correct horse 42 battery';
const DOMAIN = 'acme-corp.com';

let smtp: SmtpCapture;
let db: PgConnection;
let instance: DirectusInstance;
let admin: string;
let organization: string;

type Body = Record<string, unknown>;

async function call(method: string, route: string, options: { token?: string; body?: unknown } = {}) {
  return getJson(`${instance.baseUrl}${route}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function login(email: string, password: string, otp?: string) {
  return call('POST', '/auth/login', { body: { email, password, ...(otp ? { otp } : {}) } });
}

async function tokens(email: string, password: string) {
  const response = await login(email, password);
  expect([email, response.status]).toEqual([email, 200]);
  return response.body.data as { access_token: string; refresh_token: string };
}

const sql = <T = Body>(text: string, values: unknown[] = []) =>
  withClient(db, async (client) => (await client.query(text, values)).rows as T[]);

/** A user made by the admin, active, with a password; returns its id. */
async function createUser(email: string, role: string, extra: Body = {}) {
  const response = await call('POST', '/users', {
    token: admin,
    body: { email, password: STRONG, role, status: 'active', ...extra },
  });
  expect([email, response.status]).toEqual([email, 200]);
  return (response.body.data as { id: string }).id;
}

/** Authenticates a websocket with an access token; resolves with Directus's answer status ('ok' or 'error'). */
function websocketAuth(token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${instance.baseUrl.replace('http', 'ws')}/websocket`);
    const timer = setTimeout(() => reject(new Error('no websocket auth answer within 10 s')), 10_000);
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', access_token: token })));
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; status?: string };
      if (message.type !== 'auth') return;
      clearTimeout(timer);
      socket.close();
      resolve(message.status ?? '');
    });
    socket.addEventListener('error', () => reject(new Error('websocket error')));
  });
}

const tokenIn = (mail: CapturedMail, path: string) => {
  const link = mail.links.find((candidate) => candidate.includes(path));
  if (!link) throw new Error(`no ${path} link in "${mail.subject}": ${mail.links.join(', ')}`);
  return { link, token: new URL(link).searchParams.get('token')! };
};

beforeAll(async () => {
  smtp = await startSmtpCapture();
  db = await migratedTestDatabase('auth_flows');
  instance = await startMigratedInstance({
    db,
    name: 'auth-flows',
    env: {
      ...smtp.env,
      PASSWORD_RESET_URL_ALLOW_LIST: FRONTEND_RESET,
      WEBSOCKETS_ENABLED: 'true',
      RATE_LIMITER_REGISTRATION_ENABLED: 'false',
    },
  });
  const response = await login(harness().admin.email, harness().admin.password);
  admin = (response.body.data as { access_token: string }).access_token;
  const org = await call('POST', '/items/organizations', { token: admin, body: { name: 'Acme', domain: DOMAIN } });
  expect(org.status).toBe(200);
  organization = (org.body.data as { id: string }).id;
}, 180_000);

afterAll(async () => {
  await instance?.stop();
  if (db) await dropDatabase(harness().server, db.database);
  await smtp?.stop();
});

describe('customer registration', () => {
  const email = 'jane.doe@acme-corp.com';

  it('registers into Customer with the organization of the email domain, verifies by mail, sets a password, logs in', async () => {
    const registered = await call('POST', '/users/register', {
      body: { email, password: STRONG, first_name: 'Jane' },
    });
    expect(registered.status).toBe(204);
    const [row] = await sql('select role, status, organization, password from directus_users where email = $1', [
      email,
    ]);
    // No password until the mailbox owner sets one (decision 0013): the registrant's is not kept.
    expect(row).toMatchObject({ role: ROLE.customer, status: 'unverified', organization, password: null });

    expect((await login(email, STRONG)).status).toBe(401);
    const mail = await smtp.waitFor((candidate) => candidate.to.includes(email));
    const { link } = tokenIn(mail, '/users/register/verify-email');
    expect(link.startsWith(`${instance.baseUrl}/users/register/verify-email?token=`)).toBe(true);
    const followed = await fetch(link, { redirect: 'manual' });
    expect(followed.status).toBe(303);
    const setPassword = new URL(followed.headers.get('location') ?? '');
    expect(`${setPassword.origin}${setPassword.pathname}`).toBe(`${instance.baseUrl}/admin/reset-password`);
    const [verified] = await sql('select status from directus_users where email = $1', [email]);
    expect(verified?.status).toBe('active');
    expect((await login(email, STRONG)).status).toBe(401);
    // The set-password step applies the password policy like any reset.
    const token = setPassword.searchParams.get('token')!;
    const weak = await call('POST', '/auth/password/reset', { body: { token, password: 'onlylettersinthispassword' } });
    expect(weak.status).toBe(400);
    expect((await call('POST', '/auth/password/reset', { body: { token, password: STRONG } })).status).toBe(204);
    const [hashed] = await sql('select password from directus_users where email = $1', [email]);
    // argon2id with the security baseline's costs (HASH_MEMORY_COST, HASH_TIME_COST).
    expect(String(hashed?.password)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,/);

    const session = await tokens(email, STRONG);
    const refreshed = await call('POST', '/auth/refresh', {
      body: { refresh_token: session.refresh_token, mode: 'json' },
    });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body.data as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect((await call('GET', '/users/me', { token: next.access_token })).status).toBe(200);

    expect((await call('POST', '/auth/logout', { body: { refresh_token: next.refresh_token } })).status).toBe(204);
    const afterLogout = await call('POST', '/auth/refresh', {
      body: { refresh_token: next.refresh_token, mode: 'json' },
    });
    expect(afterLogout.status).toBe(401);
  });

  it('refuses an unknown domain by mail, answering like any registration, and writes no user', async () => {
    const response = await call('POST', '/users/register', {
      body: { email: 'eve@unknown-corp.com', password: STRONG },
    });
    expect(response.status).toBe(204);
    const mail = await smtp.waitFor((candidate) => candidate.to.includes('eve@unknown-corp.com'));
    expect(mail.text).toContain('unknown-corp.com');
    expect(await sql("select 1 from directus_users where email = 'eve@unknown-corp.com'")).toEqual([]);
    // A subdomain is another domain.
    const sub = await call('POST', '/users/register', { body: { email: 'eve@mail.acme-corp.com', password: STRONG } });
    expect(sub.status).toBe(204);
    await smtp.waitFor((candidate) => candidate.to.includes('eve@mail.acme-corp.com'));
    expect(await sql("select 1 from directus_users where email = 'eve@mail.acme-corp.com'")).toEqual([]);
  });

  it('does not touch users an admin creates, whatever their domain', async () => {
    const id = await createUser('contractor@elsewhere-corp.com', ROLE.customer);
    const [row] = await sql('select organization from directus_users where id = $1', [id]);
    expect(row?.organization).toBeNull();
  });

  it('keeps no registration password, weak or strong, and answers bad input with a 400 envelope', async () => {
    const response = await call('POST', '/users/register', {
      body: { email: 'weak@acme-corp.com', password: 'Short1!' },
    });
    expect(response.status).toBe(204);
    const [row] = await sql("select password from directus_users where email = 'weak@acme-corp.com'");
    expect(row).toEqual({ password: null });
    for (const body of [{ email: 'not an email' }, { email: 'x@acme-corp.com', role: ROLE.manager }, 'text']) {
      const bad = await call('POST', '/users/register', { body });
      expect([body, bad.status]).toEqual([body, 400]);
      expectErrorEnvelope(bad, 'INVALID_PAYLOAD');
    }
  });

  it('lets a customer use the API but not the admin app', async () => {
    const session = await tokens(email, STRONG);
    const globals = await call('GET', '/policies/me/globals', { token: session.access_token });
    expect(globals.body.data).toMatchObject({ app_access: false, admin_access: false });
    expect((await call('GET', '/collections', { token: session.access_token })).status).toBe(403);
    expect((await call('GET', '/items/tickets', { token: session.access_token })).status).toBe(200);
    const agent = await createUser('app.agent@example.com', ROLE.agent);
    expect(agent).toBeTruthy();
    const agentSession = await tokens('app.agent@example.com', STRONG);
    const agentGlobals = await call('GET', '/policies/me/globals', { token: agentSession.access_token });
    expect(agentGlobals.body.data).toMatchObject({ app_access: true });
  });
});

describe('staff presets (version auth)', () => {
  it('opens the tickets list for Agent and Manager on open tickets by due time, with the bookmark too', async () => {
    await createUser('preset.manager@example.com', ROLE.manager);
    for (const email of ['app.agent@example.com', 'preset.manager@example.com']) {
      const session = await tokens(email, STRONG);
      const response = await call('GET', '/presets?filter[collection][_eq]=tickets&limit=-1', {
        token: session.access_token,
      });
      expect(response.status).toBe(200);
      const presets = response.body.data as Array<{ bookmark: string | null; filter: unknown; layout_query: unknown }>;
      const expected = {
        filter: { status: { _nin: ['solved', 'closed'] } },
        layout_query: { tabular: expect.objectContaining({ sort: ['resolution_due_at'] }) },
      };
      expect(presets.find((preset) => preset.bookmark === null)).toMatchObject(expected);
      expect(presets.find((preset) => preset.bookmark === 'Open tickets by due time')).toMatchObject(expected);
    }
  });
});

describe('password reset by email', () => {
  const email = 'reset.me@example.com';

  it('mails a working link; the new password works and the old one no longer does', async () => {
    await createUser(email, ROLE.agent);
    expect((await call('POST', '/auth/password/request', { body: { email } })).status).toBe(204);
    const mail = await smtp.waitFor((candidate) => candidate.to.includes(email));
    const { link, token } = tokenIn(mail, '/admin/reset-password');
    expect(link.startsWith(`${instance.baseUrl}/admin/reset-password?token=`)).toBe(true);

    const weak = await call('POST', '/auth/password/reset', { body: { token, password: 'weak' } });
    expect(weak.status).toBe(400);
    const newPassword = 'a brand new 2nd password';
    expect((await call('POST', '/auth/password/reset', { body: { token, password: newPassword } })).status).toBe(204);
    expect((await login(email, STRONG)).status).toBe(401);
    expect((await login(email, newPassword)).status).toBe(200);
  });

  it('sends links only to allow-listed frontends', async () => {
    const email2 = 'reset.frontend@example.com';
    await createUser(email2, ROLE.agent);
    const evil = await call('POST', '/auth/password/request', {
      body: { email: email2, reset_url: 'https://evil.example.com/steal' },
    });
    expect(evil.status).toBe(400);
    expectErrorEnvelope(evil, 'INVALID_PAYLOAD');
    const ok = await call('POST', '/auth/password/request', { body: { email: email2, reset_url: FRONTEND_RESET } });
    expect(ok.status).toBe(204);
    const mail = await smtp.waitFor((candidate) => candidate.to.includes(email2));
    expect(tokenIn(mail, FRONTEND_RESET).link.startsWith(`${FRONTEND_RESET}?token=`)).toBe(true);
    expect(smtp.to(email2)).toHaveLength(1);
  });
});

describe('staff invitation and TOTP', () => {
  const email = 'new.agent@example.com';
  const password = 'invited agent password 7';

  it('invites an agent who accepts with the mailed token, logs in, and sets up TOTP', async () => {
    const invited = await call('POST', '/users/invite', { token: admin, body: { email, role: ROLE.agent } });
    expect(invited.status).toBe(204);
    const mail = await smtp.waitFor((candidate) => candidate.to.includes(email));
    const { link, token } = tokenIn(mail, '/admin/accept-invite');
    expect(link.startsWith(`${instance.baseUrl}/admin/accept-invite?token=`)).toBe(true);
    expect((await login(email, password)).status).toBe(401);
    expect((await call('POST', '/users/invite/accept', { body: { token, password: 'weak' } })).status).toBe(400);
    expect((await call('POST', '/users/invite/accept', { body: { token, password } })).status).toBe(204);
    const session = await tokens(email, password);
    const [row] = await sql('select role, status from directus_users where email = $1', [email]);
    expect(row).toEqual({ role: ROLE.agent, status: 'active' });

    // TOTP: generate (needs the password), enable with a code from the secret, then login needs a code.
    expect((await call('POST', '/users/me/tfa/generate', { token: session.access_token, body: {} })).status).toBe(400);
    const generated = await call('POST', '/users/me/tfa/generate', { token: session.access_token, body: { password } });
    expect(generated.status).toBe(200);
    const { secret } = generated.body.data as { secret: string };
    const wrong = await call('POST', '/users/me/tfa/enable', {
      token: session.access_token,
      body: { secret, otp: '000000' },
    });
    expect(wrong.status).toBe(400);
    const enabled = await call('POST', '/users/me/tfa/enable', {
      token: session.access_token,
      body: { secret, otp: await freshOtp(secret) },
    });
    expect(enabled.status).toBe(204);

    const withoutOtp = await login(email, password);
    expect(withoutOtp.status).toBe(401);
    expectErrorEnvelope(withoutOtp, 'INVALID_OTP');
    expect((await login(email, password, '123456')).status).toBe(401);
    expect((await login(email, password, await freshOtp(secret))).status).toBe(200);
  });
});

describe('login attempts', () => {
  it('throttles failed logins with 429 and Retry-After instead of suspending the account (decision 0013)', async () => {
    const email = 'guessed@example.com';
    await createUser(email, ROLE.agent);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) statuses.push((await login(email, `wrong ${attempt}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    const [row] = await sql('select status from directus_users where email = $1', [email]);
    expect(row?.status).toBe('active');
    let answer = await login(email, STRONG);
    for (let tries = 0; answer.status === 429 && tries < 5; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000 + 100));
      answer = await login(email, STRONG);
    }
    expect(answer.status).toBe(200);
  });
});

describe('profile and preferences (PATCH /users/me)', () => {
  it('lets users change their names and preferences, not their role, status, organization or email', async () => {
    const email = 'profile@acme-corp.com';
    const id = await createUser(email, ROLE.customer, { organization });
    const other = await call('POST', '/items/organizations', {
      token: admin,
      body: { name: 'Other', domain: 'other.com' },
    });
    const session = await tokens(email, STRONG);
    const changed = await call('PATCH', '/users/me', {
      token: session.access_token,
      body: { first_name: 'Pro', last_name: 'File', language: 'de-DE', appearance: 'dark', email_notifications: false },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ first_name: 'Pro', language: 'de-DE', appearance: 'dark' });
    const attacks: Body[] = [
      { role: ROLE.manager },
      { status: 'active' },
      { organization: (other.body.data as { id: string }).id },
      { email: 'someone.else@acme-corp.com' },
      { token: 'my-own-static-token' },
      { tfa_secret: null },
    ];
    for (const body of attacks) {
      const response = await call('PATCH', '/users/me', { token: session.access_token, body });
      // A static token is refused to non-admins before permissions are read (400, decision 0020); the rest are 403.
      expect([body, response.status]).toEqual([body, 'token' in body ? 400 : 403]);
    }
    // Nor through /users/:id on themself or on someone else.
    expect(
      (await call('PATCH', `/users/${id}`, { token: session.access_token, body: { role: ROLE.manager } })).status,
    ).toBe(403);
    const [row] = await sql('select role, status, organization, email, token from directus_users where id = $1', [id]);
    expect(row).toEqual({ role: ROLE.customer, status: 'active', organization, email, token: null });

    // Staff: the same, plus no way to raise their own role.
    const agentSession = await tokens('app.agent@example.com', STRONG);
    const raise = await call('PATCH', '/users/me', { token: agentSession.access_token, body: { role: ROLE.manager } });
    expect(raise.status).toBe(403);
    expect(
      (await call('PATCH', '/users/me', { token: agentSession.access_token, body: { title: 'Lead' } })).status,
    ).toBe(200);
  });
});

describe('deactivation (BE-301)', () => {
  it('self-service: needs the current password, then archives and revokes every credential', async () => {
    const email = 'leaving@acme-corp.com';
    await createUser(email, ROLE.customer, { organization });
    const session = await tokens(email, STRONG);
    const second = await tokens(email, STRONG);
    const route = '/groundwork/v1/users/me/deactivate';

    expect((await call('POST', route, { body: { password: STRONG } })).status).toBe(401);
    const missing = await call('POST', route, { token: session.access_token, body: {} });
    expect(missing.status).toBe(400);
    expectErrorEnvelope(missing, 'INVALID_PAYLOAD');
    const extra = await call('POST', route, {
      token: session.access_token,
      body: { password: STRONG, status: 'active' },
    });
    expect(extra.status).toBe(400);
    const wrong = await call('POST', route, { token: session.access_token, body: { password: 'not my password' } });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong, 'INVALID_CREDENTIALS');

    const done = await call('POST', route, { token: session.access_token, body: { password: STRONG } });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ status: 'archived', sessions_revoked: 2, static_token_revoked: false });
    for (const token of [session.access_token, second.access_token]) {
      expect((await call('GET', '/users/me', { token })).status).toBe(401);
    }
    for (const refresh of [session.refresh_token, second.refresh_token]) {
      expect((await call('POST', '/auth/refresh', { body: { refresh_token: refresh, mode: 'json' } })).status).toBe(
        401,
      );
    }
    expect((await login(email, STRONG)).status).toBe(401);
  });

  it('an admin may not deactivate themself through either route', async () => {
    const [me] = await sql<{ id: string }>('select id from directus_users where email = $1', [harness().admin.email]);
    const self = await call('POST', '/groundwork/v1/users/me/deactivate', {
      token: admin,
      body: { password: harness().admin.password },
    });
    expect(self.status).toBe(403);
    const viaAdmin = await call('POST', `/groundwork/v1/users/${me!.id}/deactivate`, { token: admin, body: {} });
    expect(viaAdmin.status).toBe(409);
  });

  it('admin: suspends a user and revokes sessions, refresh tokens, access tokens and the static token', async () => {
    const email = 'fired.agent@example.com';
    const id = await createUser(email, ROLE.agent);
    // A static token left from before decision 0020 (today only admins may be given one, and an agent's is refused):
    // the deactivation must still clear it.
    await sql('update directus_users set token = $1 where id = $2', ['static-token-of-the-fired-agent', id]);
    const session = await tokens(email, STRONG);
    const route = `/groundwork/v1/users/${id}/deactivate`;

    const other = await tokens('app.agent@example.com', STRONG);
    const forbidden = await call('POST', route, { token: other.access_token, body: {} });
    expect(forbidden.status).toBe(403);
    expectErrorEnvelope(forbidden, 'FORBIDDEN');
    expect((await call('POST', route, { body: {} })).status).toBe(401);
    expect((await call('POST', '/groundwork/v1/users/not-a-uuid/deactivate', { token: admin, body: {} })).status).toBe(
      400,
    );
    const badStatus = await call('POST', route, { token: admin, body: { status: 'active' } });
    expect(badStatus.status).toBe(400);
    const unknown = await call('POST', `/groundwork/v1/users/${crypto.randomUUID()}/deactivate`, {
      token: admin,
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/users/me', { token: session.access_token })).status).toBe(200);

    const done = await call('POST', route, { token: admin, body: {} });
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ id, status: 'suspended', sessions_revoked: 1, static_token_revoked: true });
    expect((await call('GET', '/users/me', { token: session.access_token })).status).toBe(401);
    expect((await call('GET', '/users/me', { token: 'static-token-of-the-fired-agent' })).status).toBe(401);
    expect(
      (await call('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token, mode: 'json' } })).status,
    ).toBe(401);
    expect(await sql('select 1 from directus_sessions where "user" = $1', [id])).toEqual([]);
    const [row] = await sql('select status, token from directus_users where id = $1', [id]);
    expect(row).toEqual({ status: 'suspended', token: null });
  });

  it("Directus's own path: a status change in the app deletes sessions, and our hook refuses the access token", async () => {
    const email = 'suspended.in.app@example.com';
    const id = await createUser(email, ROLE.agent);
    const session = await tokens(email, STRONG);
    expect(await websocketAuth(session.access_token)).toBe('ok');
    expect((await call('PATCH', `/users/${id}`, { token: admin, body: { status: 'suspended' } })).status).toBe(200);
    expect(await sql('select 1 from directus_sessions where "user" = $1', [id])).toEqual([]);
    expect(
      (await call('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token, mode: 'json' } })).status,
    ).toBe(401);
    const stale = await call('GET', '/users/me', { token: session.access_token });
    expect(stale.status).toBe(401);
    expectErrorEnvelope(stale, 'INVALID_CREDENTIALS');
    expect(await websocketAuth(session.access_token)).toBe('error');
    // Reactivated, the same (unexpired) access token works again: the check is the status, not a token list.
    expect((await call('PATCH', `/users/${id}`, { token: admin, body: { status: 'active' } })).status).toBe(200);
    expect((await call('GET', '/users/me', { token: session.access_token })).status).toBe(200);
    expect(await websocketAuth(session.access_token)).toBe('ok');
  });
});

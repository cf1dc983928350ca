// Erasure (BE-301 second half, decision 0021). A customer with a ticket, public replies, a reopen comment, an
// attachment staff logged for her, in-app notifications, emails, a failed and a good login, revisions and a
// preference erases herself: afterwards every row of schemas public, groundwork and pgboss is searched for her id,
// email, names, words and file, the bytes are gone from storage, she cannot log in, the tickets are still the
// organization's and an audit event says what happened. An admin erases an agent on request (his replies and the
// file attached to one stay, anonymised). Refusals: other roles, the REST and GraphQL delete paths, the last admin.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { authenticator } from 'otplib';
import { accountClientKey, accountKey } from '../../platform/src/security/core/tokens.js';
import { ROLE } from '../spec/service-desk/access.js';
import { harness, MAIN_STORAGE_ROOT } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, freshOtp, getJson, until } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, type Desk, type Login } from './fixtures.js';

const ERASED = '[erased]';
// The main instances' shared STORAGE_LOCAL_ROOT.
const uploads = MAIN_STORAGE_ROOT;
const hex = () => randomBytes(5).toString('hex');

let desk: Desk;
type Person = Login & { password: string; first: string; last: string };

async function login(email: string, password: string) {
  return getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': `erasure-test-${email}` },
    body: JSON.stringify({ email, password }),
  });
}

async function person(label: string, role: string, organization: string | null): Promise<Person> {
  const first = `Zelda${hex()}`;
  const last = `Quist${hex()}`;
  const email = `${label}-${hex()}@${desk.run}.example.com`;
  const password = `pw-${hex()}`;
  const user = await asAdmin<{ id: string }>(desk, 'POST', '/users', {
    email,
    password,
    role,
    organization,
    first_name: first,
    last_name: last,
  });
  const answer = await login(email, password);
  expect(answer.status).toBe(200);
  return {
    id: user.id,
    email,
    password,
    first,
    last,
    token: (answer.body.data as { access_token: string }).access_token,
  };
}

async function ok<T = Record<string, unknown>>(token: string, method: string, route: string, body?: unknown) {
  const response = await call(token, method, route, body);
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

async function upload(token: string, title: string, content: string): Promise<{ id: string; filename_disk: string }> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', new Blob([content], { type: 'text/plain' }), `${title}.txt`);
  const uploaded = await getJson(`${harness().baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect([uploaded.status, uploaded.status === 200 ? '' : uploaded.text]).toEqual([200, '']);
  const id = (uploaded.body.data as { id: string }).id;
  const [row] = (await desk.db('directus_files').where({ id }).select('filename_disk')) as { filename_disk: string }[];
  return { id, filename_disk: row!.filename_disk };
}

/** Every row of every table in the three schemas, as JSON text, searched for each needle (case-insensitive). */
async function traces(needles: string[]): Promise<string[]> {
  const tables = (await desk
    .db('information_schema.tables')
    .whereIn('table_schema', ['public', 'groundwork', 'pgboss'])
    .where('table_type', 'BASE TABLE')
    .select('table_schema', 'table_name')) as Array<{ table_schema: string; table_name: string }>;
  expect(tables.length).toBeGreaterThan(40);
  const hits: string[] = [];
  for (const { table_schema: schema, table_name: table } of tables) {
    const { rows } = (await desk.db.raw('SELECT row_to_json(t)::text AS row FROM ??.?? t', [schema, table])) as {
      rows: Array<{ row: string }>;
    };
    for (const { row } of rows) {
      const lower = row.toLowerCase();
      for (const needle of needles) {
        if (lower.includes(needle.toLowerCase())) hits.push(`${schema}.${table}: ${needle} in ${row.slice(0, 300)}`);
      }
    }
  }
  return hits;
}

/** Files under the storage root whose bytes contain `content`. */
function filesHolding(content: string): string[] {
  if (!existsSync(uploads)) return [];
  return readdirSync(uploads).filter((name) => readFileSync(path.join(uploads, name), 'utf8').includes(content));
}

async function eventsSettled(items: string[]) {
  await until(
    'the events of these items to be dispatched',
    async () =>
      Number(
        (
          (await desk
            .db('groundwork.domain_event')
            .whereIn('item', items)
            .whereNull('dispatched_at')
            .count({ n: '*' })) as Array<{ n: string }>
        )[0]!.n,
      ) === 0,
    60_000,
  );
}

const erasureEvent = (requestId: string) =>
  desk.db('groundwork.security_events').where({ type: 'privacy.erasure', request_id: requestId });

beforeAll(async () => {
  desk = await createDesk('erasure');
}, 180_000);

afterAll(async () => {
  await desk?.db.destroy();
});

describe('a customer erases herself', () => {
  let carol: Person;
  /** What identifies Carol or is hers: none of it may remain. */
  const hers: string[] = [];
  let ticket: string;
  let loggedFile: { id: string; filename_disk: string };
  let agentFile: { id: string; filename_disk: string };
  const fileContent = `carol-file-bytes-${hex()}`;
  let agentReply: string;

  beforeAll(async () => {
    carol = await person('carol', ROLE.customer, desk.org.id);
    const agent = desk.users.agent;
    const subject = `carol-subject-${hex()}`;
    const description = `carol-description-${hex()}`;
    ticket = (
      await ok<{ id: string }>(carol.token, 'POST', '/items/tickets', {
        subject,
        description,
        organization: desk.org.id,
      })
    ).id;
    await ok(agent.token, 'PATCH', `/items/tickets/${ticket}`, { assignee: agent.id, status: 'open' });
    const reply = `carol-reply-${hex()} call me on 555-${hex()}`;
    const message = await ok<{ id: string }>(carol.token, 'POST', '/items/ticket_messages', { ticket, body: reply });
    // Staff log a call for her, with the screenshot she mailed them (customers do not upload: decision 0007).
    loggedFile = await upload(agent.token, `carol-screenshot-${hex()}`, fileContent);
    const logged = `carol-phone-call-${hex()}`;
    const loggedMessage = await ok<{ id: string }>(agent.token, 'POST', '/items/ticket_messages', {
      ticket,
      body: logged,
      author: carol.id,
      attachments: [{ directus_files_id: loggedFile.id }],
    });
    // The agent's own reply names her and carries the agent's file: it stays, without her.
    agentFile = await upload(agent.token, `agent-howto-${hex()}`, `agent-file-bytes-${hex()}`);
    agentReply = (
      await ok<{ id: string }>(agent.token, 'POST', '/items/ticket_messages', {
        ticket,
        body: `Dear ${carol.first} ${carol.last} (${carol.email}), agent-answer-text.`,
        attachments: [{ directus_files_id: agentFile.id }],
      })
    ).id;
    await ok(agent.token, 'PATCH', `/items/tickets/${ticket}`, { status: 'solved' });
    const comment = `carol-reopen-comment-${hex()}`;
    await ok(carol.token, 'PATCH', `/items/tickets/${ticket}`, { status: 'open', workflow_comment: comment });
    await desk.db('notification_preferences').insert({ user: carol.id, event: 'ticket.*', digest: true });
    const inApp = `carol-in-app-${hex()}`;
    await ok(desk.admin, 'POST', '/notifications', { recipient: carol.id, subject: inApp, message: 'for her eyes' });
    // Revisions of her account (an admin's edit) and a failed login (a security event and a throttle key).
    await ok(desk.admin, 'PATCH', `/users/${carol.id}`, { title: `carol-title-${hex()}` });
    expect((await login(carol.email, 'not-her-password')).status).toBe(401);
    // A delivery job that failed for good: SMTP refusals quote the recipient's address in the job's output.
    await desk.db.raw("INSERT INTO pgboss.job (name, state, data, output) VALUES (?, 'failed', ?::jsonb, ?::jsonb)", [
      'notifications.deliver',
      JSON.stringify({ id: `outbox-${hex()}` }),
      JSON.stringify({ message: `550 5.1.1 <${carol.email}>: mailbox unavailable` }),
    ]);
    // Inbound emails (platform record, decision 0049): one of hers held until her contact is active, with its raw
    // bytes, and a colleague's whose subject names her.
    const inboundSubject = `carol-inbound-${hex()}`;
    await desk.db('inbound_emails').insert([
      {
        id: randomUUID(),
        message_id: `<${hex()}@mail.example.com>`,
        sender: carol.email.toLowerCase(),
        subject: inboundSubject,
        status: 'held',
        reason: `held until ${carol.email} is active`,
        held_mime: Buffer.from(`From: ${carol.email}\r\nSubject: ${inboundSubject}\r\n\r\nhello`).toString('base64'),
      },
      {
        id: randomUUID(),
        message_id: `<${hex()}@mail.example.com>`,
        sender: `colleague-${hex()}@example.com`,
        subject: `About ${carol.email}`,
        status: 'accepted',
      },
    ]);
    await eventsSettled([ticket, message.id, loggedMessage.id, agentReply]);
    // The agents' in-app notifications quote her ticket (positive control for the dump below).
    await until('in-app notifications quoting her ticket', async () => {
      const rows = await desk.db('directus_notifications').where('message', 'like', `%${description}%`);
      return rows.length > 0;
    });
    hers.push(carol.id, carol.email, carol.first, carol.last, subject, description, reply, logged, comment);
    hers.push(`carol-screenshot`, fileContent, inApp, inboundSubject);
    // The hashes her failed login was recorded and throttled under (security_events.account_key, login_throttle).
    hers.push(accountKey(carol.email), accountClientKey(carol.email, '127.0.0.1'));
  }, 180_000);

  it('leaves traces before erasure (the search finds them)', async () => {
    const before = await traces([carol.id, carol.email, carol.first, accountKey(carol.email)]);
    const tables = new Set(before.map((hit) => hit.split(':')[0]));
    for (const table of [
      'public.directus_users',
      'public.tickets',
      'public.ticket_messages',
      'public.directus_activity',
      'public.directus_revisions',
      'public.directus_notifications',
      'public.inbound_emails',
      'public.notification_outbox',
      'public.workflow_history',
      'groundwork.domain_event',
      'groundwork.security_events',
      'groundwork.login_throttle',
      'pgboss.job',
    ])
      expect([table, tables.has(table)]).toEqual([table, true]);
    expect(filesHolding(fileContent)).toEqual([path.basename(loggedFile.filename_disk)]);
  });

  it('refuses a missing password (400) and a wrong one (401), and loses nothing', async () => {
    const missing = await call(carol.token, 'POST', '/groundwork/v1/users/me/erasure', {});
    expect(missing.status).toBe(400);
    expectErrorEnvelope(missing, 'INVALID_PAYLOAD');
    const unknown = await call(carol.token, 'POST', '/groundwork/v1/users/me/erasure', {
      password: carol.password,
      user: desk.users.outsider.id,
    });
    expect(unknown.status).toBe(400);
    const wrong = await call(carol.token, 'POST', '/groundwork/v1/users/me/erasure', { password: 'not-it' });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong, 'INVALID_CREDENTIALS');
    const anonymous = await getJson(`${harness().baseUrl}/groundwork/v1/users/me/erasure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: carol.password }),
    });
    expect(anonymous.status).toBe(401);
    expect(await desk.db('directus_users').where({ id: carol.id }).first('id')).toBeDefined();
    expect((await desk.db('tickets').where({ id: ticket }).first('requester'))?.requester).toBe(carol.id);
    expect(await desk.db('directus_files').where({ id: loggedFile.id }).first('id')).toBeDefined();
    expect((await call(carol.token, 'GET', '/users/me')).status).toBe(200);
  });

  it('erases her: nothing identifying remains in any table or in storage', async () => {
    const requestId = `erasure-self-${hex()}`;
    const response = await getJson(`${harness().baseUrl}/groundwork/v1/users/me/erasure`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${carol.token}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({ password: carol.password }),
    });
    expect([response.status, response.status === 200 ? '' : response.text]).toEqual([200, '']);

    expect(await traces(hers)).toEqual([]);
    expect(filesHolding(fileContent)).toEqual([]);
    expect(response.body.data).toMatchObject({
      erased: true,
      counts: expect.objectContaining({ accounts_deleted: 1, files_deleted: 1, tickets_requested_anonymised: 1 }),
    });
    expect(existsSync(path.join(uploads, loggedFile.filename_disk))).toBe(false);

    // The audit entry: what and how much, never whom.
    const [event] = await erasureEvent(requestId);
    expect(event).toMatchObject({ outcome: 'erased', user_id: null, ip: null, account_key: null });
    expect(event.detail).toMatchObject({
      by: 'self',
      actor: null,
      subject_kind: 'customer',
      counts: expect.objectContaining({ accounts_deleted: 1 }),
    });
  });

  it('leaves the tickets to the organization, her words replaced and the agent reply without her', async () => {
    const row = await desk.db('tickets').where({ id: ticket }).first();
    expect(row).toMatchObject({
      organization: desk.org.id,
      requester: null,
      subject: ERASED,
      description: ERASED,
      assignee: desk.users.agent.id,
    });
    const messages = await desk.db('ticket_messages').where({ ticket }).orderBy('date_created');
    expect(messages.map((message) => [message.author, message.body])).toEqual([
      [null, ERASED],
      [null, ERASED],
      [desk.users.agent.id, `Dear ${ERASED} (${ERASED}), agent-answer-text.`],
    ]);
    // The agent's attachment stays; the file logged for her is gone with its junction row.
    expect(await desk.db('directus_files').where({ id: agentFile.id }).first('id')).toBeDefined();
    expect(existsSync(path.join(uploads, agentFile.filename_disk))).toBe(true);
    expect(await desk.db('ticket_messages_files').where({ directus_files_id: loggedFile.id })).toEqual([]);
    // Staff still read the ticket through the API.
    expect((await call(desk.users.agent.token, 'GET', `/items/tickets/${ticket}`)).status).toBe(200);
  });

  it('ends her access: no login, the old token refused, and the refusals do not bring her id back', async () => {
    expect((await login(carol.email, carol.password)).status).toBe(401);
    expect((await call(carol.token, 'GET', '/users/me')).status).toBe(401);
    // The refused token is recorded (after the response) as a security event about nobody.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await traces([carol.id])).toEqual([]);
  });
});

describe('an admin erases an agent on request', () => {
  let yann: Person;
  let ticket: string;
  let reply: string;
  let attached: { id: string; filename_disk: string };
  let loose: { id: string; filename_disk: string };
  const signature = () => `Regards, ${yann.first} ${yann.last}`;

  beforeAll(async () => {
    yann = await person('yann', ROLE.agent, null);
    ticket = (
      await ok<{ id: string }>(desk.users.customer.token, 'POST', '/items/tickets', {
        subject: `printer-${hex()}`,
        organization: desk.org.id,
      })
    ).id;
    await ok(yann.token, 'PATCH', `/items/tickets/${ticket}`, { assignee: yann.id, status: 'open' });
    attached = await upload(yann.token, `howto-${hex()}`, `howto-bytes-${hex()}`);
    loose = await upload(yann.token, `yann-notes-${hex()}`, `yann-notes-bytes-${hex()}`);
    reply = (
      await ok<{ id: string }>(yann.token, 'POST', '/items/ticket_messages', {
        ticket,
        body: `Try turning it off and on. ${signature()}`,
        attachments: [{ directus_files_id: attached.id }],
      })
    ).id;
    await ok(yann.token, 'POST', '/items/ticket_messages', {
      ticket,
      body: `internal-note-by-yann ${yann.email}`,
      internal: true,
    });
    await eventsSettled([ticket, reply]);
  }, 120_000);

  it('keeps his work on the ticket, anonymised, and removes everything that identifies him', async () => {
    const requestId = `erasure-admin-${hex()}`;
    const response = await getJson(`${harness().baseUrl}/groundwork/v1/users/${yann.id}/erasure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${desk.admin}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ reason: `Request DSR-42 from ${yann.email}` }),
    });
    expect([response.status, response.status === 200 ? '' : response.text]).toEqual([200, '']);

    expect(await traces([yann.id, yann.email, yann.first, yann.last])).toEqual([]);
    const messages = await desk.db('ticket_messages').where({ ticket }).orderBy('date_created');
    expect(messages.map((message) => [message.author, message.body])).toEqual([
      [null, `Try turning it off and on. Regards, ${ERASED}`],
      [null, `internal-note-by-yann ${ERASED}`],
    ]);
    expect(await desk.db('tickets').where({ id: ticket }).first('assignee', 'organization')).toEqual({
      assignee: null,
      organization: desk.org.id,
    });
    // The file on his reply is the ticket's; his other upload went, bytes and all.
    expect(await desk.db('directus_files').where({ id: attached.id }).first('uploaded_by')).toEqual({
      uploaded_by: null,
    });
    expect(existsSync(path.join(uploads, attached.filename_disk))).toBe(true);
    expect(await desk.db('directus_files').where({ id: loose.id }).first('id')).toBeUndefined();
    expect(existsSync(path.join(uploads, loose.filename_disk))).toBe(false);

    const [event] = await erasureEvent(requestId);
    expect(event).toMatchObject({ outcome: 'erased', user_id: null });
    expect(event.detail).toMatchObject({
      by: 'admin',
      subject_kind: 'staff',
      reason: `Request DSR-42 from ${ERASED}`,
    });
    const [admin] = (await desk.db('directus_users').where({ email: harness().admin.email }).select('id')) as {
      id: string;
    }[];
    expect(event.detail.actor).toBe(admin!.id);
    expect((await login(yann.email, yann.password)).status).toBe(401);
  });
});

describe('refusals', () => {
  it('refuses the admin route to Manager, Agent and Customer (403), and the target keeps everything', async () => {
    const target = desk.users.outsider;
    for (const who of ['manager', 'agent', 'customer'] as const) {
      const response = await call(desk.users[who].token, 'POST', `/groundwork/v1/users/${target.id}/erasure`, {
        reason: 'because',
      });
      expect([who, response.status]).toEqual([who, 403]);
      expectErrorEnvelope(response, 'FORBIDDEN');
      // Before parsing: a non-admin learns nothing about ids either.
      const malformed = await call(desk.users[who].token, 'POST', '/groundwork/v1/users/nope/erasure', {});
      expect([who, malformed.status]).toEqual([who, 403]);
    }
    expect(await desk.db('directus_users').where({ id: target.id }).first('id')).toEqual({ id: target.id });
  });

  it("keeps Directus's own delete paths to permissions: REST and GraphQL deletes of users are refused", async () => {
    for (const who of ['manager', 'agent', 'customer'] as const) {
      const { token, id } = desk.users[who];
      for (const target of [id, desk.users.outsider.id]) {
        const rest = await call(token, 'DELETE', `/users/${target}`);
        expect([who, target, rest.status]).toEqual([who, target, 403]);
        const graphql = await call(token, 'POST', '/graphql/system', {
          query: `mutation { delete_users_item(id: "${target}") { id } }`,
        });
        // Without a delete permission the mutation is not even in the caller's schema (GRAPHQL_VALIDATION).
        expect([who, target, graphql.body.data ?? null, graphql.text]).toEqual([
          who,
          target,
          null,
          expect.stringMatching(/FORBIDDEN|GRAPHQL_VALIDATION/),
        ]);
      }
      expect(await desk.db('directus_users').where({ id }).first('id')).toEqual({ id });
    }
    const outsider = desk.users.outsider.id;
    expect(await desk.db('directus_users').where({ id: outsider }).first('id')).toEqual({ id: outsider });
  });

  it('needs a current TOTP code from someone who has TOTP on', async () => {
    const dora = await person('dora', ROLE.customer, desk.org.id);
    const secret = authenticator.generateSecret();
    await desk.db('directus_users').where({ id: dora.id }).update({ tfa_secret: secret });
    const erase = (body: Record<string, unknown>) =>
      call(dora.token, 'POST', '/groundwork/v1/users/me/erasure', { password: dora.password, ...body });
    for (const body of [{}, { otp: '000000' }]) {
      const refused = await erase(body);
      expect([body, refused.status]).toEqual([body, 401]);
      expectErrorEnvelope(refused, 'INVALID_OTP');
    }
    expect(await desk.db('directus_users').where({ id: dora.id }).first('id')).toEqual({ id: dora.id });
    const erased = await erase({ otp: await freshOtp(secret) });
    expect([erased.status, erased.status === 200 ? '' : erased.text]).toEqual([200, '']);
    expect(await desk.db('directus_users').where({ id: dora.id }).first('id')).toBeUndefined();
  });

  it('throttles password guesses with a stolen token like logins (429), then lets the owner erase', async () => {
    const eve = await person('eve', ROLE.customer, desk.org.id);
    const erase = (password: string) => call(eve.token, 'POST', '/groundwork/v1/users/me/erasure', { password });
    const statuses: number[] = [];
    for (let i = 0; i < 12 && !statuses.includes(429); i++) statuses.push((await erase(`guess-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const blocked = await erase(eve.password);
    expect(blocked.status).toBe(429);
    expectErrorEnvelope(blocked, 'REQUESTS_EXCEEDED');
    expect(await desk.db('directus_users').where({ id: eve.id }).first('id')).toEqual({ id: eve.id });
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 200));
    expect((await erase(eve.password)).status).toBe(200);
    // The throttle key went with her (a success resets it).
    expect(await desk.db('groundwork.login_throttle').where('key', 'like', 'erasure:%')).toEqual([]);
  });

  it('answers bad input and unknown users clearly', async () => {
    const self = await call(desk.admin, 'POST', '/groundwork/v1/users/nope/erasure', { reason: 'because' });
    expect(self.status).toBe(400);
    expectErrorEnvelope(self, 'INVALID_PARAMS');
    const noReason = await call(desk.admin, 'POST', `/groundwork/v1/users/${desk.users.outsider.id}/erasure`, {});
    expect(noReason.status).toBe(400);
    expectErrorEnvelope(noReason, 'INVALID_PAYLOAD');
    const unknown = await call(desk.admin, 'POST', `/groundwork/v1/users/${crypto.randomUUID()}/erasure`, {
      reason: 'because',
    });
    expect(unknown.status).toBe(404);
    expectErrorEnvelope(unknown, 'NOT_FOUND');
  });

  it('refuses an admin erasing themself through the admin route, and the last admin erasing themself', async () => {
    const [admin] = (await desk.db('directus_users').where({ email: harness().admin.email }).select('id')) as {
      id: string;
    }[];
    const viaAdminRoute = await call(desk.admin, 'POST', `/groundwork/v1/users/${admin!.id}/erasure`, {
      reason: 'because',
    });
    expect(viaAdminRoute.status).toBe(409);
    expectErrorEnvelope(viaAdminRoute, 'CONFLICT');
    // Only run against a database where the test admin is the only active admin: otherwise it would really be
    // erased. Other tests share this instance (the fuzz may make an admin), so any other active admin is suspended
    // for the check and restored after it.
    const activeAdmins = async () =>
      (await desk
        .db('directus_users as u')
        .join('directus_access as a', (join) => join.on('a.user', 'u.id').orOn('a.role', 'u.role'))
        .join('directus_policies as p', 'p.id', 'a.policy')
        .where('p.admin_access', true)
        .where('u.status', 'active')
        .distinct('u.id')) as Array<{ id: string }>;
    const others = (await activeAdmins()).map((row) => row.id).filter((id) => id !== admin!.id);
    if (others.length) await desk.db('directus_users').whereIn('id', others).update({ status: 'suspended' });
    try {
      expect(await activeAdmins()).toEqual([{ id: admin!.id }]);
      const last = await call(desk.admin, 'POST', '/groundwork/v1/users/me/erasure', {
        password: harness().admin.password,
      });
      expect(last.status).toBe(409);
      expectErrorEnvelope(last, 'CONFLICT');
      expect(last.text).toContain('last active administrator');
    } finally {
      if (others.length) await desk.db('directus_users').whereIn('id', others).update({ status: 'active' });
    }
    expect(await desk.db('directus_users').where({ id: admin!.id }).first('id')).toEqual({ id: admin!.id });
  });
});

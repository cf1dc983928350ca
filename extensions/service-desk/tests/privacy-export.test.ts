// The personal-data export (BE-301, GET /users/me/export): a customer's export holds their own account, tickets,
// messages and notification preference, nothing of a colleague's, another organization's or an internal note, and
// no credential; an agent's holds their internal notes; an anonymous call is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { ROLE } from '../spec/service-desk/access.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { getJson } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, type Desk, type Login } from './fixtures.js';

type Row = Record<string, unknown>;
interface Export {
  user: Row;
  files: Row[];
  notifications: { in_app: Row[]; preferences: Row[]; outbox: Row[] };
  workflow_history: Row[];
  security_events: Row[] | null;
  inbound_emails: Row[];
  domains: { 'service-desk': { organization: Row | null; tickets: Row[]; messages: Row[] } };
}

let desk: Desk;
let colleague: Login;
const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
/** What each person wrote, by id and by text. */
const written = {
  customer: [] as string[],
  colleague: [] as string[],
  outsider: [] as string[],
  internal: [] as string[],
};
let customerTicket: string;
let staticToken: string;

async function ticketBy(login: Login, organization: string, who: keyof typeof written) {
  const description = unique(`${who}-description`);
  const ticket = await call(login.token, 'POST', '/items/tickets', { subject: unique(who), description, organization });
  expect([who, ticket.status, ticket.status === 200 ? '' : ticket.text]).toEqual([who, 200, '']);
  const id = (ticket.body.data as { id: string }).id;
  const body = unique(`${who}-message`);
  const message = await call(login.token, 'POST', '/items/ticket_messages', { ticket: id, body });
  expect([who, message.status, message.status === 200 ? '' : message.text]).toEqual([who, 200, '']);
  written[who].push(id, description, body, (message.body.data as { id: string }).id);
  return id;
}

async function exportOf(token: string, path = '/groundwork/v1/users/me/export') {
  const response = await call(token, 'GET', path);
  expect([path, response.status, response.status === 200 ? '' : response.text]).toEqual([path, 200, '']);
  return { data: (response.body as { data: Export }).data, text: response.text };
}

beforeAll(async () => {
  desk = await createDesk('export');
  const email = `colleague-${desk.run}@${desk.run}.example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const created = await asAdmin<{ id: string }>(desk, 'POST', '/users', {
    email,
    password,
    role: ROLE.customer,
    organization: desk.org.id,
  });
  const login = await getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  colleague = { id: created.id, email, token: (login.body.data as { access_token: string }).access_token };

  customerTicket = await ticketBy(desk.users.customer, desk.org.id, 'customer');
  await ticketBy(colleague, desk.org.id, 'colleague');
  await ticketBy(desk.users.outsider, desk.otherOrg.id, 'outsider');
  const note = unique('internal-note');
  const internal = await call(desk.users.agent.token, 'POST', '/items/ticket_messages', {
    ticket: customerTicket,
    body: note,
    internal: true,
  });
  expect(internal.status).toBe(200);
  written.internal.push((internal.body.data as { id: string }).id, note);
  // A file the agent uploads: its metadata belongs in the agent's export, not in the customer's.
  const form = new FormData();
  const title = unique('agent-file');
  form.append('title', title);
  form.append('file', new Blob(['attachment'], { type: 'text/plain' }), `${title}.txt`);
  const uploaded = await getJson(`${harness().baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${desk.users.agent.token}` },
    body: form,
  });
  expect([uploaded.status, uploaded.status === 200 ? '' : uploaded.text]).toEqual([200, '']);
  written.internal.push((uploaded.body.data as { id: string }).id, title);
  await desk.db('notification_preferences').insert({ user: desk.users.customer.id, event: 'ticket.*', email: false });
  await desk.db('notification_preferences').insert({ user: colleague.id, event: 'ticket.*', email: false });
  // A static token on the customer's account, which the export must not carry: written to the row as one left
  // from before decision 0020 (the API refuses static tokens for non-admins now).
  staticToken = unique('static-token');
  await desk.db('directus_users').where({ id: desk.users.customer.id }).update({ token: staticToken });
  // Inbound emails (platform record): the one from the customer's address is theirs, the colleague's is not.
  for (const [who, login] of [
    ['customer', desk.users.customer],
    ['colleague', colleague],
  ] as const) {
    const subject = unique(`${who}-inbound`);
    await desk.db('inbound_emails').insert({
      id: randomUUID(),
      message_id: `<${unique('message')}@mail.example.com>`,
      sender: login.email.toLowerCase(),
      subject,
      status: 'accepted',
    });
    written[who].push(subject);
  }
  // A failed login of the customer's: the security event about them belongs in their export, the colleague's not.
  for (const email of [desk.users.customer.email, colleague.email]) {
    const failed = await getJson(`${harness().baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'not-the-password-1' }),
    });
    expect(failed.status).toBe(401);
  }
}, 180_000);

afterAll(async () => {
  await desk?.db.destroy();
});

describe('GET /users/me/export', () => {
  it("holds all of a customer's own rows and nothing of a colleague's, another organization's or an internal note", async () => {
    const { data, text } = await exportOf(desk.users.customer.token);
    expect(data.user).toMatchObject({ id: desk.users.customer.id, email: desk.users.customer.email });
    const desk_ = data.domains['service-desk'];
    expect(desk_.organization).toMatchObject({ id: desk.org.id });
    expect(desk_.tickets.map((row) => row.id)).toEqual([customerTicket]);
    expect(desk_.messages).toHaveLength(1);
    for (const value of written.customer) expect([value, text.includes(value)]).toEqual([value, true]);
    // Recorded after the 401 answered (security/login.ts): wait for it rather than race it.
    let events = data.security_events ?? [];
    for (let i = 0; i < 50 && events.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = (await exportOf(desk.users.customer.token)).data.security_events ?? [];
    }
    expect(events).toEqual([
      expect.objectContaining({ type: 'login', outcome: 'failed', user_id: desk.users.customer.id }),
    ]);
    expect(data.inbound_emails).toEqual([
      expect.objectContaining({ sender: desk.users.customer.email.toLowerCase(), status: 'accepted' }),
    ]);
    expect(data.notifications.preferences).toEqual([
      expect.objectContaining({ user: desk.users.customer.id, event: 'ticket.*' }),
    ]);
    const leaked = [...written.colleague, ...written.outsider, ...written.internal, colleague.id, colleague.email]
      .concat([desk.users.outsider.id, desk.users.outsider.email, desk.otherOrg.id])
      .filter((value) => text.includes(value));
    expect(leaked).toEqual([]);
  });

  it('carries no password hash, TOTP secret or token', async () => {
    const { data, text } = await exportOf(desk.users.customer.token);
    const [row] = (await desk.db('directus_users').where({ id: desk.users.customer.id }).select('password')) as {
      password: string;
    }[];
    expect(row?.password).toMatch(/^\$argon2/);
    for (const column of ['password', 'tfa_secret', 'token', 'auth_data']) expect(data.user).not.toHaveProperty(column);
    expect(text.includes(row!.password)).toBe(false);
    expect(text.includes(staticToken)).toBe(false);
    expect(text.includes(desk.users.customer.token)).toBe(false);
  });

  it("answers the same at /users/me/export, before Directus's users router", async () => {
    const { data } = await exportOf(desk.users.customer.token, '/users/me/export');
    expect(data.user.id).toBe(desk.users.customer.id);
    expect(data.domains['service-desk'].tickets.map((row) => row.id)).toEqual([customerTicket]);
  });

  it("holds an agent's internal notes", async () => {
    const { data, text } = await exportOf(desk.users.agent.token);
    for (const value of written.internal) expect([value, text.includes(value)]).toEqual([value, true]);
    expect(data.files).toEqual([
      expect.objectContaining({ id: written.internal[2], uploaded_by: desk.users.agent.id }),
    ]);
    expect(data.domains['service-desk'].messages).toEqual([
      expect.objectContaining({ id: written.internal[0], internal: true }),
    ]);
    expect(data.domains['service-desk'].organization).toBeNull();
  });

  it('refuses an anonymous caller and an unknown parameter', async () => {
    for (const path of ['/groundwork/v1/users/me/export', '/users/me/export']) {
      const anonymous = await getJson(`${harness().baseUrl}${path}`);
      expect([path, anonymous.status]).toEqual([path, 401]);
      expect(anonymous.text).not.toMatch(/"user"|stack/);
    }
    const unknown = await call(desk.users.customer.token, 'GET', '/groundwork/v1/users/me/export?fields=*');
    expect(unknown.status).toBe(400);
  });
});

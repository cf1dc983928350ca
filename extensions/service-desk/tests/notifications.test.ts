// The service desk's notification rules end to end: a Directus of its own (migrated to every version, jobs worker on)
// sending mail to the SMTP capture server. Its triggers publish ticket and message events in the write's
// transaction; its rules (snapshot 0003) fan them out; these tests count what arrives at the capture server. The
// engine itself (rollback, retries while SMTP is down, re-runs, the SMTP window, preferences, audience groups, the
// digest) is tested on the fixture domain in tests/integration/notifications.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import { ROLE } from '../spec/service-desk/access.js';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { settled as settledOn } from '../../../tests/integration/harness/notifications.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../scripts/lib/smtp-capture.js';
import { adminToken, bearerClient, expectErrorEnvelope, getJson, until } from '../../../tests/integration/http.js';

const PASSWORD = 'notifications-test-password';
const AVA = 'ava@acme.example.com';
const BEN = 'ben@acme.example.com';
const AGENT1 = 'agent1@desk.example.com';
const AGENT2 = 'agent2@desk.example.com';
const MANAGER = 'manager@desk.example.com';

let capture: SmtpCapture;
let db: PgConnection;
let instance: DirectusInstance;
let sql: Knex;
let admin: string;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

const { api, ok } = bearerClient(() => instance.baseUrl);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every event about the item was dispatched and every notification it made reached a final state. */
const settled = (item: string) => settledOn(sql, item);

const mailsWith = (marker: string): CapturedMail[] => capture.messages.filter((mail) => mail.text.includes(marker));

async function reply(token: string, ticket: string, body: string, internal = false): Promise<string> {
  const message = await ok<{ id: string }>(token, 'POST', '/items/ticket_messages', { ticket, body, internal });
  return message.id;
}

async function login(email: string): Promise<string> {
  const response = await getJson(`${instance.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.text}`);
  return (response.body.data as { access_token: string }).access_token;
}

beforeAll(async () => {
  capture = await startSmtpCapture();
  db = await migratedTestDatabase('notifications');
  instance = await startMigratedInstance({
    db,
    name: 'notifications',
    env: {
      ...capture.env,
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    },
  });
  sql = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: 2 } });
  admin = await adminToken(instance.baseUrl);

  const org = await ok<{ id: string }>(admin, 'POST', '/items/organizations', {
    name: 'Acme',
    domain: 'acme.example.com',
  });
  ids.org = org.id;
  const people: Array<[string, string, string, string | null]> = [
    [AVA, 'Ava', ROLE.customer, org.id],
    [BEN, 'Ben', ROLE.customer, org.id],
    [AGENT1, 'Alice', ROLE.agent, null],
    [AGENT2, 'Arthur', ROLE.agent, null],
    [MANAGER, 'Mona', ROLE.manager, null],
  ];
  for (const [email, first_name, role, organization] of people) {
    const user = await ok<{ id: string }>(admin, 'POST', '/users', {
      email,
      password: PASSWORD,
      first_name,
      last_name: 'Test',
      role,
      organization,
      status: 'active',
    });
    ids[email] = user.id;
    tokens[email] = await login(email);
  }
});

afterAll(async () => {
  await instance?.stop();
  await sql?.destroy();
  await capture?.stop();
  if (db) await dropDatabase(harness().server, db.database);
});

async function newTicket(token: string, subject: string): Promise<{ id: string; number: string }> {
  const created = await ok<{ id: string }>(token, 'POST', '/items/tickets', {
    subject,
    description: `About ${subject}`,
    organization: ids.org,
  });
  const ticket = await ok<{ id: string; number: string }>(
    admin,
    'GET',
    `/items/tickets/${created.id}?fields=id,number`,
  );
  return ticket;
}

describe('ticket created', () => {
  it('emails the requester a receipt and puts an in-app notification in front of every agent', async () => {
    const ticket = await newTicket(tokens[AVA]!, 'Printer on fire');
    ids.avaTicket = ticket.id;
    const receipt = await capture.waitFor((mail) => mail.subject.includes(ticket.number) && mail.to.includes(AVA));
    expect(receipt.subject).toBe(`[${ticket.number}] We received your request: Printer on fire`);
    expect(receipt.text).toContain('Hello Ava,');

    for (const agent of [AGENT1, AGENT2]) {
      const inbox = await until(`in-app notification for ${agent}`, async () => {
        const rows = await ok<Array<{ subject: string; item: string; collection: string }>>(
          tokens[agent]!,
          'GET',
          `/notifications?filter[item][_eq]=${ticket.id}&fields=subject,item,collection`,
        );
        return rows.length > 0 && rows;
      });
      expect(inbox).toEqual([
        { subject: `New ticket ${ticket.number}: Printer on fire`, item: ticket.id, collection: 'tickets' },
      ]);
    }
    const rows = await settled(ticket.id);
    // The requester is a customer: no in-app row; the manager's copy waits for the daily digest.
    const inApp = rows.filter((row) => row.channel === 'in_app').map((row) => row.recipient);
    expect(inApp.sort()).toEqual([ids[AGENT1], ids[AGENT2]].sort());
    expect(rows.find((row) => row.recipient === ids[MANAGER])).toMatchObject({ status: 'held', channel: 'email' });
    expect(capture.to(AVA).filter((mail) => mail.subject.includes(ticket.number))).toHaveLength(1);
  });
});

describe('replies', () => {
  it("an agent's public reply produces exactly one email to the requester, with the reply in it", async () => {
    const marker = `reply-${randomUUID()}`;
    const message = await reply(tokens[AGENT1]!, ids.avaTicket!, `Please unplug it. ${marker}`);
    const mail = await capture.waitFor((one) => one.text.includes(marker));
    expect(mail.to).toEqual([AVA]);
    expect(mail.subject).toMatch(/^Re: \[SD-\d+\] Printer on fire$/);
    expect(mail.text).toContain('Alice Test replied to your request');
    expect(mail.html).toContain(marker);
    await settled(message);
    await sleep(1000);
    expect(mailsWith(marker)).toHaveLength(1);
  });

  it('an internal note emails nobody', async () => {
    const marker = `note-${randomUUID()}`;
    const message = await reply(tokens[AGENT1]!, ids.avaTicket!, `Customer seems upset. ${marker}`, true);
    const rows = await settled(message);
    expect(rows).toEqual([]);
    expect(mailsWith(marker)).toHaveLength(0);
  });

  it("a customer's reply reaches the assignee in-app and by email", async () => {
    await ok(tokens[AGENT1]!, 'PATCH', `/items/tickets/${ids.avaTicket}`, { assignee: ids[AGENT1] });
    const marker = `customer-${randomUUID()}`;
    // Customers have no create permission on messages yet (their replies arrive by email ingestion later): the
    // reply is written by SQL, which the event triggers see like any other write path, the author as the actor.
    const message = randomUUID();
    await sql('ticket_messages').insert({
      id: message,
      ticket: ids.avaTicket,
      author: ids[AVA],
      body: `Still burning. ${marker}`,
    });
    const mail = await capture.waitFor((one) => one.text.includes(marker));
    expect(mail.to).toEqual([AGENT1]);
    const rows = await settled(message);
    expect(rows.map((row) => [row.channel, row.status]).sort()).toEqual([
      ['email', 'sent'],
      ['in_app', 'sent'],
    ]);
    expect(mailsWith(marker)).toHaveLength(1);
  });
});

describe('bulk loads', () => {
  it("publish nothing with groundwork.events off (the seed's setting)", async () => {
    const id = randomUUID();
    await sql.transaction(async (trx) => {
      await trx.raw("set local groundwork.events = 'off'");
      await trx('ticket_messages').insert({ id, ticket: ids.avaTicket, author: ids[AGENT1], body: 'Seeded history.' });
    });
    expect(await sql('ticket_messages').where({ id }).first()).toBeDefined();
    expect(await sql('groundwork.domain_event').where({ item: id }).select()).toEqual([]);
  });
});

describe('assignment', () => {
  it('tells the new assignee (in-app and email), not the agent who assigned', async () => {
    const ticket = await newTicket(tokens[BEN]!, 'Login broken');
    await settled(ticket.id);
    await ok(tokens[AGENT1]!, 'PATCH', `/items/tickets/${ticket.id}`, { assignee: ids[AGENT2] });
    const mail = await capture.waitFor((one) => one.subject === `[${ticket.number}] Assigned to you: Login broken`);
    expect(mail.to).toEqual([AGENT2]);
    const rows = (await settled(ticket.id)).filter((row) => row.rule === 'ticket-assigned');
    expect(rows.map((row) => [row.recipient, row.channel]).sort()).toEqual([
      [ids[AGENT2], 'email'],
      [ids[AGENT2], 'in_app'],
    ]);
    const event = await sql('groundwork.domain_event').where({ item: ticket.id, type: 'tickets.assigned' }).first();
    expect(event.actor).toBe(ids[AGENT1]);
  });
});

describe('preferences', () => {
  it('a customer may keep only their own preferences', async () => {
    const forged = await api(tokens[AVA]!, 'POST', '/items/notification_preferences', {
      user: ids[BEN],
      event: '*',
      email: false,
    });
    expect(forged.status).toBe(403);
    expectErrorEnvelope(forged, 'FORBIDDEN');
    await ok(tokens[MANAGER]!, 'POST', '/items/notification_preferences', { event: 'tickets.*', in_app: false });
    const seen = await ok<Array<{ user: string }>>(tokens[AVA]!, 'GET', '/items/notification_preferences?fields=user');
    expect(seen).toEqual([]);
    // Their own is theirs without naming themselves (the create permission presets the user).
    const own = await ok<{ id: number; user: string }>(tokens[AVA]!, 'POST', '/items/notification_preferences', {
      event: 'ticket_messages.created',
      email: false,
    });
    expect(own.user).toBe(ids[AVA]);
    await ok(tokens[AVA]!, 'DELETE', `/items/notification_preferences/${own.id}`);
  });
});

describe('audience groups (decision 0028)', () => {
  it("a rule naming the service desk's `organization` group reaches that organization's users", async () => {
    const marker = `group-${randomUUID()}`;
    const rule = await ok<{ id: string }>(admin, 'POST', '/items/notification_rules', {
      id: marker,
      event: 'tickets.created',
      condition: { 'item.subject': marker },
      audience: [{ organization: 'organization' }],
      channels: ['in_app'],
      template: 'ticket-receipt',
      digest: false,
      exclude_actor: false,
      enabled: true,
    });
    try {
      const ticket = await newTicket(tokens[AGENT1]!, marker);
      const rows = (await settled(ticket.id)).filter((row) => row.rule === rule.id);
      // Ava and Ben are Acme's users; agents and the manager have no organization.
      expect(rows.map((row) => row.recipient).sort()).toEqual([ids[AVA], ids[BEN]].sort());
    } finally {
      await ok(admin, 'DELETE', `/items/notification_rules/${rule.id}`);
    }
  });
});

describe("managers' daily digest", () => {
  it("gathers the managers' daily items (new tickets) into one email, once", async () => {
    const ticket = await newTicket(tokens[BEN]!, 'VPN flaky');
    const held = (await settled(ticket.id)).filter((row) => row.recipient === ids[MANAGER]);
    expect(held.map((row) => [row.rule, row.channel, row.status])).toEqual([
      ['manager-digest-created', 'email', 'held'],
    ]);
    expect(capture.to(MANAGER).filter((mail) => mail.subject.includes(ticket.number))).toHaveLength(0);

    const run = await api(admin, 'POST', '/groundwork/v1/notifications/digest');
    expect(run.status).toBe(202);
    const managerDigest = await capture.waitFor(
      (mail) => mail.to.includes(MANAGER) && mail.subject.startsWith('Your daily digest'),
    );
    // This ticket's and the first test's.
    expect(managerDigest.text).toContain(`New ticket ${ticket.number} (normal): VPN flaky`);
    expect(managerDigest.text).toContain('Printer on fire');
    const after = await sql('notification_outbox')
      .whereIn(
        'id',
        held.map((row) => row.id),
      )
      .select('status', 'digest');
    expect(after.every((row) => row.status === 'digested' && row.digest)).toBe(true);

    // A second run finds nothing held: no second digest.
    await api(admin, 'POST', '/groundwork/v1/notifications/digest');
    await sleep(3000);
    expect(capture.to(MANAGER).filter((mail) => mail.subject.startsWith('Your daily digest'))).toHaveLength(1);
  });
});

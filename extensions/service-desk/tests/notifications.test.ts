// Notifications end to end: a Directus of its own (migrated to every version, jobs worker on) sending mail to the
// SMTP capture server. Events are written in the write's transaction, fanned out into outbox rows (one per event ×
// rule × recipient × channel) and delivered by jobs; these tests count what arrives at the capture server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import { ROLE } from '../spec/service-desk/access.js';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
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

interface OutboxRow {
  id: string;
  recipient: string;
  channel: string;
  status: string;
  rule: string;
  attempts: number;
  subject: string;
  last_error: string | null;
}

const outboxFor = (item: string): Promise<OutboxRow[]> => sql('notification_outbox').where({ item }).select();

/** Waits until every event about the item was dispatched and every notification it made reached a final state. */
async function settled(item: string): Promise<OutboxRow[]> {
  await until(`events of ${item} dispatched`, async () => {
    const events = await sql('groundwork.domain_event').where({ item }).select('dispatched_at');
    return events.length > 0 && events.every((event) => event.dispatched_at !== null);
  });
  return until(`notifications of ${item} delivered`, async () => {
    const rows = await outboxFor(item);
    return rows.every((row) => !['pending', 'sending'].includes(row.status)) && rows;
  });
}

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
      GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS: '1',
      GROUNDWORK_NOTIFICATIONS_RETRY_LIMIT: '12',
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

  it('a write that is rolled back publishes nothing and sends nothing', async () => {
    const marker = `rollback-${randomUUID()}`;
    const id = randomUUID();
    // The message row is inserted (and its event written) before the attachment fails: the whole write rolls back.
    const failed = await api(tokens[AGENT1]!, 'POST', '/items/ticket_messages', {
      id,
      ticket: ids.avaTicket,
      body: `Should never arrive. ${marker}`,
      attachments: [{ directus_files_id: randomUUID() }],
    });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await sql('ticket_messages').where({ id }).first()).toBeUndefined();
    expect(await sql('groundwork.domain_event').where({ item: id }).select()).toEqual([]);
    // A later write goes through the same pipeline; once its mail is in, the rolled-back one would be too.
    const after = `after-${randomUUID()}`;
    const message = await reply(tokens[AGENT1]!, ids.avaTicket!, `Next step. ${after}`);
    await capture.waitFor((one) => one.text.includes(after));
    await settled(message);
    expect(mailsWith(marker)).toHaveLength(0);
    expect(await outboxFor(id)).toEqual([]);
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

describe('SMTP down', () => {
  it('retries while the server is down; once it is back every email arrives exactly once', async () => {
    await capture.stop();
    const markers = [1, 2, 3].map((n) => `outage-${n}-${randomUUID()}`);
    const messages: string[] = [];
    for (const marker of markers) messages.push(await reply(tokens[AGENT2]!, ids.avaTicket!, `Update ${marker}`));

    // Each email was tried and failed at least twice (retries with backoff), and is still waiting, not lost.
    await until(
      'failed attempts while SMTP is down',
      async () => {
        const rows = (await Promise.all(messages.map(outboxFor))).flat();
        return (
          rows.length === 3 && rows.every((row) => row.attempts >= 2 && row.status === 'pending' && row.last_error)
        );
      },
      45_000,
    );
    expect(capture.messages.filter((mail) => markers.some((marker) => mail.text.includes(marker)))).toHaveLength(0);

    await capture.start();
    for (const marker of markers) await capture.waitFor((mail) => mail.text.includes(marker), 60_000);
    const rows = (await Promise.all(messages.map(settled))).flat();
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
    // Every one was tried while the server was down (failed attempts recorded) and then sent by a retry.
    expect(rows.every((row) => row.attempts >= 3 && row.last_error === null)).toBe(true);
    await sleep(3000);
    for (const marker of markers) expect(mailsWith(marker)).toHaveLength(1);
  });

  it('a re-run delivery job or a re-dispatched event sends nothing twice', async () => {
    const marker = `rerun-${randomUUID()}`;
    const message = await reply(tokens[AGENT1]!, ids.avaTicket!, `Re-run me. ${marker}`);
    await capture.waitFor((mail) => mail.text.includes(marker));
    const [row] = await settled(message);
    const event = await sql('groundwork.domain_event').where({ item: message }).first();

    // The same jobs again, as a crashed worker's retry or an admin's re-run would enqueue them.
    const rerun = async (queue: string, data: object) => {
      const result = await sql.raw('select public.groundwork_enqueue(?, ?::jsonb) as id', [
        queue,
        JSON.stringify(data),
      ]);
      return String(result.rows[0].id);
    };
    const job = await rerun('notifications.deliver', { id: row!.id });
    // The event dispatched again, as after a lease that ran out: open in the outbox once more.
    await sql.transaction(async (trx) => {
      await trx('groundwork.domain_event').where({ id: event.id }).update({ dispatched_at: null, attempts: 0 });
      await trx.raw("select pg_notify('groundwork_events', '')");
    });
    await until('re-run job completed and event dispatched again', async () => {
      const [state] = await sql('pgboss.job').where({ id: job }).select('state');
      const [again] = await sql('groundwork.domain_event').where({ id: event.id }).select('dispatched_at');
      return state?.state === 'completed' && again?.dispatched_at !== null;
    });
    await sleep(1500);
    expect(mailsWith(marker)).toHaveLength(1);
    expect(await outboxFor(message)).toHaveLength(1);
  });
});

describe('the SMTP window', () => {
  it('a claimed email is left to its attempt within the lease, then sent once more with the same Message-ID', async () => {
    // A row as a worker leaves it when it dies after claiming (and maybe after the SMTP server accepted it).
    const id = randomUUID();
    const marker = `window-${randomUUID()}`;
    await sql('notification_outbox').insert({
      id,
      key: `test:${id}`,
      event_type: 'test.window',
      recipient: ids[AVA],
      channel: 'email',
      status: 'sending',
      subject: 'Window test',
      body: marker,
      attempts: 1,
      last_attempt_at: sql.fn.now(),
    });
    await sql.raw('select public.groundwork_enqueue(?, ?::jsonb)', ['notifications.deliver', JSON.stringify({ id })]);
    // Within the lease the job backs off instead of sending a second copy.
    await until('a refused attempt', async () => {
      const jobs = await sql('pgboss.job').where({ name: 'notifications.deliver' }).whereRaw("data->>'id' = ?", [id]);
      return jobs.some((job) => job.retry_count > 0);
    });
    expect(mailsWith(marker)).toHaveLength(0);
    // The lease lapses (the attempt is taken as dead): the retry sends it, once.
    await sql('notification_outbox')
      .where({ id })
      .update({ last_attempt_at: sql.raw("now() - interval '1 hour'") });
    const mail = await capture.waitFor((one) => one.text.includes(marker), 30_000);
    const row = await until('sent', async () => {
      const found = await sql('notification_outbox').where({ id, status: 'sent' }).first();
      return found;
    });
    expect(row.message_id).toBe(`<${id}@127.0.0.1>`);
    expect(mail.subject).toBe('Window test');
    expect(mail.messageId).toBe(row.message_id);
    await sleep(1500);
    expect(mailsWith(marker)).toHaveLength(1);
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
  });

  it('email off for agent replies: the reply is recorded as skipped and no email goes out', async () => {
    const preference = await ok<{ id: number; user: string }>(tokens[AVA]!, 'POST', '/items/notification_preferences', {
      event: 'ticket_messages.created',
      email: false,
    });
    expect(preference.user).toBe(ids[AVA]);
    const marker = `muted-${randomUUID()}`;
    const message = await reply(tokens[AGENT1]!, ids.avaTicket!, `You will not see this. ${marker}`);
    const rows = await settled(message);
    expect(rows.map((row) => [row.recipient, row.status])).toEqual([[ids[AVA], 'skipped']]);
    await sleep(1000);
    expect(mailsWith(marker)).toHaveLength(0);
    await ok(tokens[AVA]!, 'DELETE', `/items/notification_preferences/${preference.id}`);
  });
});

describe('audience groups (decision 0028)', () => {
  it("a rule naming the domain's `organization` group reaches that organization's active users; an unregistered group nobody", async () => {
    const marker = `group-${randomUUID()}`;
    const rule = await ok<{ id: string }>(admin, 'POST', '/items/notification_rules', {
      id: marker,
      event: 'tickets.created',
      condition: { 'item.subject': marker },
      audience: [{ organization: 'organization' }, { team: 'organization' }],
      channels: ['in_app'],
      template: 'ticket-receipt',
      digest: false,
      exclude_actor: false,
      enabled: true,
    });
    try {
      const ticket = await newTicket(tokens[AGENT1]!, marker);
      const rows = (await settled(ticket.id)).filter((row) => row.rule === rule.id);
      // Ava and Ben are Acme's users; agents and the manager have no organization; `team` is no registered group.
      expect(rows.map((row) => row.recipient).sort()).toEqual([ids[AVA], ids[BEN]].sort());
    } finally {
      await ok(admin, 'DELETE', `/items/notification_rules/${rule.id}`);
    }
  });
});

describe('daily digest', () => {
  it('is for admins to trigger', async () => {
    const refused = await api(tokens[MANAGER]!, 'POST', '/groundwork/v1/notifications/digest');
    expect(refused.status).toBe(403);
    expectErrorEnvelope(refused, 'FORBIDDEN');
    const bad = await api(admin, 'POST', '/groundwork/v1/notifications/digest', { when: 'now' });
    expect(bad.status).toBe(400);
    expectErrorEnvelope(bad, 'INVALID_PAYLOAD');
  });

  it("groups a digest user's notifications and the managers' daily items into one email each", async () => {
    await ok(tokens[BEN]!, 'POST', '/items/notification_preferences', { event: '*', digest: true });
    const ticket = await newTicket(tokens[BEN]!, 'VPN flaky');
    await settled(ticket.id);
    const markers = [`digest-a-${randomUUID()}`, `digest-b-${randomUUID()}`];
    const messages: string[] = [];
    for (const marker of markers) messages.push(await reply(tokens[AGENT1]!, ticket.id, `Looking into it ${marker}`));
    const held = (await Promise.all(messages.map(settled))).flat();
    expect(held.map((row) => row.status)).toEqual(['held', 'held']);
    expect(capture.to(BEN).filter((mail) => mail.subject.includes(ticket.number))).toHaveLength(0);

    const run = await api(admin, 'POST', '/groundwork/v1/notifications/digest');
    expect(run.status).toBe(202);
    const digest = await capture.waitFor(
      (mail) => mail.to.includes(BEN) && mail.subject.startsWith('Your daily digest'),
    );
    // The receipt for the new ticket and the two replies: one email.
    expect(digest.subject).toBe('Your daily digest: 3 notifications');
    expect(digest.text).toContain(`[${ticket.number}] We received your request: VPN flaky`);
    for (const marker of markers) expect(digest.text).toContain(marker);

    const managerDigest = await capture.waitFor(
      (mail) => mail.to.includes(MANAGER) && mail.subject.startsWith('Your daily digest'),
    );
    expect(managerDigest.text).toContain(`New ticket ${ticket.number} (normal): VPN flaky`);
    expect(managerDigest.text).toContain('Printer on fire');

    const after = await sql('notification_outbox').whereIn('item', messages).select('status', 'digest');
    expect(after.every((row) => row.status === 'digested' && row.digest)).toBe(true);

    // A second run finds nothing held: no second digest.
    await api(admin, 'POST', '/groundwork/v1/notifications/digest');
    await sleep(3000);
    expect(capture.to(BEN).filter((mail) => mail.subject.startsWith('Your daily digest'))).toHaveLength(1);
  });
});

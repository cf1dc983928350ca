// The notifications capability's database side on a throwaway database, no Directus (decision 0012): events from
// the outbox dispatched to the fan-out as the platform wires it (onEvent('*')), rules, audiences (users, roles and a
// test's own audience group, registered through the platform API as a domain does), preferences, one outbox row per rule × recipient ×
// channel with a delivery job per row due now, dedupe on re-runs and concurrent runs, delivery of one row (in-app and
// email) with its claim, lease and retries, the daily digest and direct notices.
// Directus is reached through three of its services, which stand in here as small classes over the same knex:
// ItemsService.readOne (the fan-out reads the item; relations are not expanded), ItemsService.createOne (the in-app
// row) and MailService.send (recorded, or failing on demand). What those services do themselves (permissions,
// Directus's own mail transport) is the integration tier's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import { deliverEvent, onEvent, type PublishedEvent } from '../../extensions/platform/src/events/index.js';
import { startEventDispatcher, type EventDispatcher } from '../../extensions/platform/src/events/dispatcher.js';
import type { Job } from '../../extensions/platform/src/jobs/index.js';
import { bossQueueSettings } from '../../extensions/platform/src/jobs/core/queue-config.js';
import { deadLetterQueue } from '../../extensions/platform/src/jobs/core/names.js';
import { createDeliver } from '../../extensions/platform/src/notifications/deliver.js';
import { createDigest, DIGEST_QUEUE } from '../../extensions/platform/src/notifications/digest.js';
import { notifyDirectly } from '../../extensions/platform/src/notifications/direct.js';
import { createFanOut, DELIVER_QUEUE } from '../../extensions/platform/src/notifications/fan-out.js';
import { platformApi } from '../../extensions/platform/src/platform-api.js';
import {
  installPlatformSql,
  startPgBoss,
  throwawayDatabase,
  waitFor,
  type MediumDatabase,
} from './harness/database.js';
import { createDirectusTables } from './harness/directus-tables.js';

let db: MediumDatabase;
let sql: Knex;
let boss: PgBoss;
const dispatchers: EventDispatcher[] = [];
const warnings: Array<{ details: object; message: string }> = [];
const logger = {
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  warn: (details: object, message: string) => void warnings.push({ details, message }),
  child: () => logger,
};

const ROLE = { agent: randomUUID(), manager: randomUUID(), customer: randomUUID() };
const ORG = { acme: randomUUID(), other: randomUUID() };
const user = (first_name: string, role: string, organization: string | null, extra: object = {}) => ({
  id: randomUUID(),
  first_name,
  last_name: 'Test',
  email: `${first_name.toLowerCase()}.${randomUUID().slice(0, 6)}@example.com`,
  role,
  organization,
  status: 'active',
  ...extra,
});
const U = {
  owner: user('Olivia', ROLE.customer, ORG.acme),
  colleague: user('Colin', ROLE.customer, ORG.acme),
  gone: user('Gina', ROLE.customer, ORG.acme, { status: 'suspended' }),
  outsider: user('Oscar', ROLE.customer, ORG.other),
  agent1: user('Alice', ROLE.agent, null),
  agent2: user('Arthur', ROLE.agent, null),
  mailless: user('Mo', ROLE.agent, null, { email: null }),
  manager: user('Mona', ROLE.manager, null),
};
// A domain's audience group as this test defines it (decision 0028): the value is an organization id, its members the
// users whose `organization` (a column the test adds to directus_users, as a domain would) is that id.
const organizationMembers = (knex: Knex, organizations: string[]) =>
  knex('directus_users')
    .whereIn('organization', organizations)
    .select<Array<{ value: string; user: string }>>({ value: 'organization', user: 'id' });
const nameOf = (id: string | null) => Object.entries(U).find(([, one]) => one.id === id)?.[0] ?? id;

/** Directus's services as the three calls the capability makes; see the file's header. */
const sent: Array<Record<string, unknown>> = [];
let mailFailure: (Error & { responseCode?: number }) | null = null;
class ItemsService {
  constructor(
    private collection: string,
    private options: { knex: Knex },
  ) {}
  async readOne(id: string) {
    const row = await this.options.knex(this.collection).where({ id }).first();
    if (!row) throw new Error('forbidden'); // Directus answers a missing item with its 403
    return row;
  }
  async createOne(data: Record<string, unknown>, opts: { bypassEmitAction?: (action: object) => void }) {
    const [row] = await this.options.knex(this.collection).insert(data).returning('id');
    opts.bypassEmitAction?.({ event: `${this.collection}.items.create`, meta: { key: row.id }, context: {} });
    return row.id;
  }
}
class MailService {
  async send(message: Record<string, unknown>) {
    if (mailFailure) throw mailFailure;
    sent.push(message);
    return { messageId: message.messageId };
  }
}
const services = { ItemsService, MailService } as never;
const getSchema = (async () => ({ collections: { things: {}, directus_notifications: {} } })) as never;
const emitted: unknown[] = [];
const emitter = { emitAction: (...args: unknown[]) => void emitted.push(args) } as never;

const fanOut = createFanOut({ services, getSchema, logger: logger as never, publicUrl: 'https://desk.example.com/' });
const RETRY_LIMIT = 3;
let deliverOn: ReturnType<typeof createDeliver>;

beforeAll(async () => {
  db = await throwawayDatabase('notifications');
  sql = db.knex;
  await installPlatformSql(db);
  boss = await startPgBoss(db);
  for (const queue of [DELIVER_QUEUE, DIGEST_QUEUE]) {
    await boss.createQueue(deadLetterQueue(queue), { retryLimit: 0 });
    const { name, ...options } = bossQueueSettings(queue, { retryLimit: RETRY_LIMIT });
    await boss.createQueue(name, options);
  }
  await createDirectusTables(sql);
  await sql.raw('alter table directus_users add column organization uuid');
  // The notifications collections (extensions/platform/spec/notifications.ts and its migration's unique index).
  await sql.raw(`
    create table notification_templates (
      key varchar(100) primary key, description varchar(255), subject text, body text
    );
    create table notification_rules (
      id varchar(100) primary key, description varchar(255), event varchar(255) not null, condition json,
      audience json, channels json, template varchar(100) references notification_templates (key) on delete set null,
      digest boolean not null default false, exclude_actor boolean not null default true,
      enabled boolean not null default true, burst_limit integer
    );
    create table notification_preferences (
      id serial primary key, "user" uuid not null references directus_users (id) on delete cascade,
      event varchar(255) not null default '*', email boolean not null default true,
      in_app boolean not null default true, digest boolean not null default false
    );
    create unique index notification_preferences_user_event on notification_preferences ("user", event);
    create table notification_outbox (
      id uuid primary key, key varchar(500) not null unique, event_id varchar(255), event_type varchar(255),
      collection varchar(255), item varchar(255),
      rule varchar(100) references notification_rules (id) on delete set null, template varchar(100),
      recipient uuid references directus_users (id) on delete set null, channel varchar(16),
      status varchar(16) not null default 'pending', subject text, body text, attempts integer not null default 0,
      last_error text, last_attempt_at timestamptz, sent_at timestamptz, message_id varchar(255),
      digest uuid references notification_outbox (id) on delete set null,
      date_created timestamptz not null default current_timestamp
    );
    create table things (
      id uuid primary key, title varchar(255), priority varchar(16), owner uuid, organization uuid
    );
  `);
  await sql('directus_roles').insert([
    { id: ROLE.agent, name: 'Agent' },
    { id: ROLE.manager, name: 'Manager' },
    { id: ROLE.customer, name: 'Customer' },
  ]);
  await sql('directus_users').insert(Object.values(U));
  await sql('notification_templates').insert([
    {
      key: 'receipt',
      subject: 'Received: {{ item.title }}',
      body: 'Hello {{ recipient.first_name }}, {{ actor.first_name }} filed it. {{ app.item_url }}',
    },
    { key: 'staff', subject: '{{ event.type }} ({{ item.priority }}): {{ item.title }}', body: '{{ item.title }}' },
    { key: 'broken', subject: 'x', body: '{{ item.title | no_such_filter }}' },
  ]);
  const json = (value: unknown) => JSON.stringify(value);
  await sql('notification_rules').insert([
    {
      id: 'owner-receipt',
      event: 'things.created',
      audience: json([{ field: 'owner' }]),
      channels: json(['email', 'in_app']),
      template: 'receipt',
    },
    {
      id: 'urgent-to-agents',
      event: 'things.*',
      condition: json({ 'item.priority': { _in: ['high', 'urgent'] } }),
      audience: json([{ role: ROLE.agent }]),
      channels: json(['in_app', 'email']),
      template: 'staff',
    },
    {
      id: 'organization',
      event: 'things.created',
      audience: json([{ organization: 'organization' }, { team: 'organization' }]),
      channels: json(['in_app']),
      template: 'receipt',
      exclude_actor: false,
    },
    {
      id: 'managers-daily',
      event: 'things.**',
      audience: json([{ role: ROLE.manager }]),
      channels: json(['email']),
      template: 'staff',
      digest: true,
    },
    {
      id: 'switched-off',
      event: 'things.created',
      audience: json([{ field: 'owner' }]),
      channels: json(['email']),
      template: 'receipt',
      enabled: false,
    },
    {
      id: 'burst',
      event: 'alarms.fired',
      audience: json([{ field: 'owner' }]),
      channels: json(['email', 'in_app']),
      template: 'receipt',
      exclude_actor: false,
      burst_limit: 2,
    },
    {
      id: 'broken-template',
      event: 'things.created',
      condition: json({ 'data.broken': true }),
      audience: json([{ field: 'owner' }]),
      channels: json(['in_app']),
      template: 'broken',
    },
  ]);
  await sql('notification_preferences').insert([
    { user: U.colleague.id, event: 'things.*', in_app: false },
    { user: U.agent2.id, event: '*', digest: true },
    { user: U.agent2.id, event: 'things.created', email: false },
  ]);
  // As the platform wires it: every event goes to the fan-out; a domain (here the test) registers its group via the API.
  onEvent('*', fanOut);
  platformApi.notifications.registerAudienceGroup('organization', organizationMembers);
  deliverOn = createDeliver({
    database: sql,
    services,
    getSchema,
    emitter,
    logger: logger as never,
    publicUrl: 'https://desk.example.com',
    leaseSeconds: 600,
    retryLimit: RETRY_LIMIT,
  });
});

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop(5000)));
});

afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
  await db?.drop();
});

beforeEach(() => {
  sent.length = 0;
  emitted.length = 0;
  warnings.length = 0;
  mailFailure = null;
});

async function thing(fields: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await sql('things').insert({
    id,
    title: 'Printer on fire',
    priority: 'high',
    owner: U.owner.id,
    organization: ORG.acme,
    ...fields,
  });
  return id;
}

async function publish(type: string, item: string, actor: string | null, data: object = {}): Promise<PublishedEvent> {
  const { rows } = await sql.raw('select groundwork_publish_event(?, ?, ?, ?::uuid, ?::jsonb) as id', [
    type,
    'things',
    item,
    actor,
    JSON.stringify(data),
  ]);
  const row = await sql('groundwork.domain_event').where({ id: rows[0].id }).first();
  return {
    id: row.id,
    type: row.type,
    collection: row.collection,
    item: row.item,
    actor: row.actor,
    data: row.data,
    occurredAt: row.occurred_at.toISOString(),
  };
}

/** Starts the events dispatcher with the platform's handlers, as the jobs runtime does. */
function dispatch() {
  const started = startEventDispatcher({
    database: sql,
    deliver: (event) => deliverEvent(event, sql),
    settings: { retryLimit: 2, retryDelay: 0, retryBackoff: false, retryDelayMax: 60, expireInSeconds: 60 },
    batchSize: 10,
    pollIntervalMs: 50,
    listen: false,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  dispatchers.push(started);
  return started;
}

const outboxOf = (item: string) => sql('notification_outbox').where({ item }).orderBy(['rule', 'channel']).select();
const jobsFor = async (ids: string[]) =>
  ids.length === 0
    ? []
    : sql('pgboss.job')
        .where({ name: DELIVER_QUEUE })
        .whereRaw("data->>'id' = any(?)", [ids])
        .select('data', 'singleton_key');
const summary = (rows: Array<Record<string, unknown>>) =>
  rows
    .map((row) => [row.rule, nameOf(row.recipient as string), row.channel, row.status])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('fan-out from the events outbox', () => {
  it('makes one row per rule × recipient × channel with the status rules and preferences give, and a job per row due now', async () => {
    const item = await thing();
    const event = await publish('things.created', item, U.agent1.id);
    dispatch();
    await waitFor(
      () => sql('groundwork.domain_event').where({ id: event.id }).first(),
      (row) => row?.dispatched_at !== null,
      15_000,
      'the event dispatched',
    );
    const rows = await outboxOf(item);
    expect(summary(rows)).toEqual(
      [
        // The owner: both channels. Alice made the event (exclude_actor), Mo has no address (no email row),
        // Arthur's exact preference turns email off for this event type (over his digest for everything).
        ['owner-receipt', 'owner', 'email', 'pending'],
        ['owner-receipt', 'owner', 'in_app', 'pending'],
        ['urgent-to-agents', 'agent2', 'email', 'skipped'],
        ['urgent-to-agents', 'agent2', 'in_app', 'pending'],
        ['urgent-to-agents', 'mailless', 'in_app', 'pending'],
        // Acme's active users through the domain's group; Colin turned in-app off for things.*; Gina is suspended,
        // Oscar is another organization's; `team` is no registered group.
        ['organization', 'owner', 'in_app', 'pending'],
        ['organization', 'colleague', 'in_app', 'skipped'],
        // A digest-only rule holds the manager's email for the daily digest.
        ['managers-daily', 'manager', 'email', 'held'],
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(warnings).toEqual([
      {
        details: { group: 'team', event: 'things.created' },
        message: 'a notification rule names an audience group no domain registered',
      },
    ]);
    const pending = rows.filter((row) => row.status === 'pending').map((row) => row.id as string);
    const jobs = await jobsFor(rows.map((row) => row.id));
    expect(jobs.map((job) => job.data.id).sort()).toEqual([...pending].sort());
    expect(jobs.every((job) => job.singleton_key === job.data.id)).toBe(true);
    const receipt = rows.find((row) => row.rule === 'owner-receipt' && row.channel === 'email')!;
    expect(receipt).toMatchObject({
      event_id: event.id,
      event_type: 'things.created',
      collection: 'things',
      key: `${event.id}:owner-receipt:${U.owner.id}:email`,
      template: 'receipt',
      subject: 'Received: Printer on fire',
      body: `Hello Olivia, Alice filed it. https://desk.example.com/admin/content/things/${item}`,
      attempts: 0,
      last_error: null,
    });
  });

  it('skips rules whose condition does not hold, and events no rule listens to', async () => {
    const item = await thing({ priority: 'low' });
    await fanOut(await publish('things.updated', item, U.owner.id), { database: sql });
    expect(summary(await outboxOf(item))).toEqual([['managers-daily', 'manager', 'email', 'held']]);
    const quiet = await thing();
    await fanOut(await publish('other.created', quiet, null), { database: sql });
    expect(await outboxOf(quiet)).toEqual([]);
  });

  it('fails only the rows of a template that does not render, with the reason', async () => {
    const item = await thing({ priority: 'low' });
    await fanOut(await publish('things.created', item, null, { broken: true }), { database: sql });
    const rows = await outboxOf(item);
    const broken = rows.filter((row) => row.rule === 'broken-template');
    expect(broken).toEqual([
      expect.objectContaining({
        status: 'failed',
        subject: '',
        body: '',
        last_error: expect.stringMatching(/^template: /),
      }),
    ]);
    expect(rows.filter((row) => row.status === 'pending').length).toBeGreaterThan(0);
    expect(await jobsFor(broken.map((row) => row.id))).toEqual([]);
  });

  it('reaches nobody through a rule whose item is gone', async () => {
    const item = await thing();
    const event = await publish('things.created', item, U.agent1.id);
    await sql('things').where({ id: item }).delete();
    await fanOut(event, { database: sql });
    // Role audiences need no item; field and group audiences find none.
    expect(summary(await outboxOf(item)).map(([rule]) => rule)).not.toContain('owner-receipt');
    expect(summary(await outboxOf(item)).map(([rule]) => rule)).not.toContain('organization');
  });
});

describe('dedupe', () => {
  it('a second fan-out of the same event inserts no row and enqueues no job', async () => {
    const item = await thing();
    const event = await publish('things.created', item, U.agent1.id);
    await fanOut(event, { database: sql });
    const first = await outboxOf(item);
    const firstJobs = await jobsFor(first.map((row) => row.id));
    await fanOut(event, { database: sql });
    expect(await outboxOf(item)).toEqual(first);
    expect(await jobsFor(first.map((row) => row.id))).toHaveLength(firstJobs.length);
  });

  it('two fan-outs of one event at the same time make each row and job once', async () => {
    const item = await thing();
    const event = await publish('things.created', item, U.agent1.id);
    const [a, b] = [db.open(3), db.open(3)];
    await Promise.all([fanOut(event, { database: a }), fanOut(event, { database: b })]);
    const rows = await outboxOf(item);
    expect(rows).toHaveLength(8);
    const jobs = await jobsFor(rows.map((row) => row.id));
    expect(jobs).toHaveLength(rows.filter((row) => row.status === 'pending').length);
  });

  it('another event about the same item makes rows of its own', async () => {
    const item = await thing();
    await fanOut(await publish('things.created', item, U.agent1.id), { database: sql });
    await fanOut(await publish('things.created', item, U.agent1.id), { database: sql });
    expect(await outboxOf(item)).toHaveLength(16);
  });
});

describe('burst limit', () => {
  it("delivers a rule's first notifications per person and channel at once; past the limit, email waits for the digest and in-app is skipped", async () => {
    const items = [await thing(), await thing(), await thing(), await thing()];
    for (const item of items) await fanOut(await publish('alarms.fired', item, null), { database: sql });
    const rows = await sql('notification_outbox')
      .whereIn('item', items)
      .orderBy('date_created')
      .select('item', 'channel', 'status', 'last_error');
    const byItem = (channel: string) =>
      items.map((item) => rows.find((row) => row.item === item && row.channel === channel)?.status);
    expect(byItem('email')).toEqual(['pending', 'pending', 'held', 'held']);
    expect(byItem('in_app')).toEqual(['pending', 'pending', 'skipped', 'skipped']);
    expect(rows.filter((row) => row.status !== 'pending').map((row) => row.last_error)).toEqual(
      Array(4).fill("over the rule's burst limit of 2 an hour"),
    );
    // Only the rows due now get a delivery job.
    const ids = await sql('notification_outbox').whereIn('item', items).pluck('id');
    expect(await jobsFor(ids)).toHaveLength(4);
    // Another person's notifications of the same rule count on their own.
    const colleagues = await thing({ owner: U.colleague.id });
    await fanOut(await publish('alarms.fired', colleagues, null), { database: sql });
    expect((await outboxOf(colleagues)).map((row) => row.status)).toEqual(['pending', 'pending']);
  });
});

describe('delivery of one row', () => {
  const job = (id: string, attempt = 1): Job<{ id: string }> => ({
    id: randomUUID(),
    queue: DELIVER_QUEUE,
    data: { id },
    attempt,
  });
  async function row(values: Record<string, unknown>): Promise<string> {
    const id = randomUUID();
    await sql('notification_outbox').insert({
      id,
      key: `test:${id}`,
      event_type: 'things.created',
      collection: 'things',
      item: randomUUID(),
      recipient: U.owner.id,
      channel: 'email',
      status: 'pending',
      subject: 'Subject <1>',
      body: 'Line one\n<b>not bold</b>',
      ...values,
    });
    return id;
  }
  const stored = (id: string) => sql('notification_outbox').where({ id }).first();

  it('in-app: writes the notification and `sent` in one transaction, once, and announces it after commit', async () => {
    const id = await row({ channel: 'in_app' });
    await deliverOn(job(id));
    await deliverOn(job(id)); // a re-run job
    const notifications = await sql('directus_notifications').where({ recipient: U.owner.id, subject: 'Subject <1>' });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ message: 'Line one\n<b>not bold</b>', collection: 'things' });
    expect(await stored(id)).toMatchObject({ status: 'sent', attempts: 1, sent_at: expect.any(Date) });
    expect(emitted).toHaveLength(1);
  });

  it('in-app: skips a row whose recipient was deleted since (the outbox keeps it with no recipient)', async () => {
    const id = await row({ channel: 'in_app', recipient: null });
    await deliverOn(job(id));
    expect(await stored(id)).toMatchObject({ status: 'skipped', last_error: 'the recipient no longer exists' });
    expect(emitted).toEqual([]);
  });

  it('email: claims the row, sends it once with its Message-ID, and a re-run sends nothing', async () => {
    const id = await row({});
    await deliverOn(job(id));
    await deliverOn(job(id));
    expect(sent).toEqual([
      expect.objectContaining({
        to: U.owner.email,
        subject: 'Subject <1>',
        text: 'Line one\n<b>not bold</b>',
        html: expect.stringContaining('&lt;b&gt;not bold&lt;/b&gt;'),
        messageId: `<${id}@desk.example.com>`,
        headers: { 'X-Groundwork-Notification': id },
      }),
    ]);
    expect(await stored(id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      message_id: `<${id}@desk.example.com>`,
      last_error: null,
    });
  });

  it('email: leaves a row another attempt claimed within the lease, and sends it again once the lease is out', async () => {
    const id = await row({ status: 'sending', attempts: 1, last_attempt_at: sql.fn.now() });
    await expect(deliverOn(job(id, 2))).rejects.toThrow(/being sent by another attempt/);
    expect(sent).toEqual([]);
    await sql('notification_outbox')
      .where({ id })
      .update({ last_attempt_at: sql.raw("now() - interval '11 minutes'") });
    await deliverOn(job(id, 3));
    expect(sent.map((message) => message.messageId)).toEqual([`<${id}@desk.example.com>`]);
    expect(await stored(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('email: a refused send goes back to pending and retries; on the last attempt, or a 5xx, it fails for good', async () => {
    const transient = await row({});
    mailFailure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(deliverOn(job(transient, 1))).rejects.toThrow('ECONNREFUSED');
    expect(await stored(transient)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'connect ECONNREFUSED',
    });
    await expect(deliverOn(job(transient, RETRY_LIMIT + 1))).rejects.toThrow('ECONNREFUSED');
    expect(await stored(transient)).toMatchObject({ status: 'failed', attempts: 2 });

    const permanent = await row({});
    mailFailure = Object.assign(new Error('550 no such mailbox'), { responseCode: 550 });
    await deliverOn(job(permanent, 1)); // not thrown: a retry cannot help
    expect(await stored(permanent)).toMatchObject({ status: 'failed', attempts: 1, last_error: '550 no such mailbox' });
    mailFailure = null;
    await deliverOn(job(permanent, 2));
    expect(sent).toEqual([]);
  });

  it('email: skips a recipient who is no longer active, and sends nothing for rows that are not due', async () => {
    const suspended = await row({ recipient: U.gone.id });
    await deliverOn(job(suspended));
    expect(await stored(suspended)).toMatchObject({ status: 'skipped', last_error: 'recipient has no active address' });
    for (const status of ['held', 'skipped', 'failed', 'digested']) await deliverOn(job(await row({ status })));
    await deliverOn(job(randomUUID())); // a row deleted since
    expect(sent).toEqual([]);
  });
});

describe('daily digest', () => {
  it("turns each recipient's held emails into one digest row with its job, once, also when two runs overlap", async () => {
    await sql('notification_outbox').where({ status: 'held' }).update({ status: 'skipped' }); // earlier tests' rows
    const held = async (recipient: string, subject: string, minutesAgo: number) => {
      const id = randomUUID();
      await sql('notification_outbox').insert({
        id,
        key: `held:${id}`,
        event_type: 'things.created',
        recipient,
        channel: 'email',
        status: 'held',
        subject,
        body: `About ${subject}`,
        date_created: sql.raw(`now() - interval '${minutesAgo} minutes'`),
      });
      return id;
    };
    const mona = [await held(U.manager.id, 'second', 5), await held(U.manager.id, 'first', 10)];
    const arthur = [await held(U.agent2.id, 'only', 1)];
    const digest = createDigest({ database: sql, logger: logger as never });
    const run = (id: string) => digest({ id, queue: DIGEST_QUEUE, data: {}, attempt: 1 });
    await Promise.all([run('run-a'), run('run-b')]);
    await run('run-a'); // a retried run

    const digests = await sql('notification_outbox').where({ event_type: 'notifications.digest' }).select();
    expect(digests.map((row) => nameOf(row.recipient)).sort()).toEqual(['agent2', 'manager']);
    const monaDigest = digests.find((row) => row.recipient === U.manager.id)!;
    expect(monaDigest).toMatchObject({ status: 'pending', channel: 'email', template: 'digest' });
    expect(monaDigest.subject).toBe('Your daily digest: 2 notifications');
    expect(monaDigest.body.indexOf('first')).toBeLessThan(monaDigest.body.indexOf('second'));
    const gathered = await sql('notification_outbox')
      .whereIn('id', [...mona, ...arthur])
      .select('id', 'status', 'digest');
    expect(gathered.every((row) => row.status === 'digested')).toBe(true);
    expect(gathered.filter((row) => mona.includes(row.id)).every((row) => row.digest === monaDigest.id)).toBe(true);
    expect((await jobsFor(digests.map((row) => row.id))).length).toBe(2);
  });
});

describe('direct notices', () => {
  it('make a row and a job per recipient and channel, once per key', async () => {
    const notice = {
      key: `burst:${randomUUID()}`,
      eventType: 'security.burst',
      recipients: [U.manager.id, U.agent1.id],
      subject: 'Many failed logins',
      body: 'Twenty in a minute.',
    };
    expect(await notifyDirectly(sql, notice)).toBe(4);
    expect(await notifyDirectly(sql, notice)).toBe(0);
    const rows = await sql('notification_outbox').whereLike('key', `${notice.key}:%`).select();
    expect(rows.map((row) => [nameOf(row.recipient), row.channel, row.status, row.rule]).sort()).toEqual([
      ['agent1', 'email', 'pending', null],
      ['agent1', 'in_app', 'pending', null],
      ['manager', 'email', 'pending', null],
      ['manager', 'in_app', 'pending', null],
    ]);
    expect(await jobsFor(rows.map((row) => row.id))).toHaveLength(4);
  });
});

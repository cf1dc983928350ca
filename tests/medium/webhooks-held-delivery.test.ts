// Outgoing webhook delivery (webhooks/deliver.ts) when an endpoint's circuit breaker is open, on a real PostgreSQL, no
// Directus: the delivery is held (not sent, its attempt given back, tried again after the cooldown), and an endpoint
// failing for longer than the failure window is disabled by that held delivery itself. Without the latter an endpoint
// past its window stayed on until a half-open trial failed, a cooldown later; the integration tier cannot tell the
// two apart, so this file pins it: the cooldown here is an hour, no trial can happen during the test, and the HTTP
// client (the boundary: a fake that always answers 500 and counts requests) shows the held attempt sent nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { HttpClient, OutboundResponse } from '../../extensions/platform/src/http-client/index.js';
import type { Job } from '../../extensions/platform/src/jobs/index.js';
import { bossQueueSettings } from '../../extensions/platform/src/jobs/core/queue-config.js';
import { BOSS_SCHEMA, deadLetterQueue } from '../../extensions/platform/src/jobs/core/names.js';
import { DELIVER_QUEUE as NOTIFY_QUEUE } from '../../extensions/platform/src/notifications/fan-out.js';
import { createDeliver, DELIVER_QUEUE, type DeliverJob } from '../../extensions/platform/src/webhooks/deliver.js';
import { installWebhookSecrets } from '../../extensions/platform/src/webhooks/install.js';
import { webhookStore } from '../../extensions/platform/src/webhooks/store.js';
import { installPlatformSql, startPgBoss, throwawayDatabase, type MediumDatabase } from './harness/database.js';
import { createDirectusTables } from './harness/directus-tables.js';

let db: MediumDatabase;
let sql: Knex;

const ADMIN = { role: randomUUID(), policy: randomUUID(), user: randomUUID() };
const WINDOW_SECONDS = 60;
const COOLDOWN_SECONDS = 3600;

/** The HTTP boundary: every request answered 500, and kept. */
function failingEndpoint() {
  const requests: string[] = [];
  const http: HttpClient = {
    async request(request) {
      requests.push(request.url);
      const answer: OutboundResponse = {
        status: 500,
        headers: {},
        body: 'down',
        truncated: false,
        latencyMs: 1,
        address: '192.0.2.1',
      };
      return answer;
    },
    stream: () => Promise.reject(new Error('not used by webhook delivery')),
  };
  return { http, requests };
}

/** A deliverer as index.ts wires it; each has its own breakers (breakerPerTarget is per createDeliver call). */
function deliverer(http: HttpClient) {
  return createDeliver({
    database: sql,
    http,
    schedule: [5, 300],
    disableAfterSeconds: WINDOW_SECONDS,
    leaseSeconds: 120,
    breaker: { failures: 1, cooldownSeconds: COOLDOWN_SECONDS },
    logger: { info: () => undefined, warn: () => undefined },
  });
}

const job = (delivery: string): Job<DeliverJob> => ({
  id: randomUUID(),
  queue: DELIVER_QUEUE,
  data: { delivery },
  attempt: 1,
});

async function newSubscription(): Promise<string> {
  const id = randomUUID();
  await sql('webhook_subscriptions').insert({
    id,
    url: `https://receiver.example.com/${id}`,
    events: JSON.stringify(['*']),
    description: 'down receiver',
  });
  await webhookStore(sql).setFirstSecret(id, 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=');
  return id;
}

async function newDelivery(subscription: string): Promise<string> {
  const id = randomUUID();
  await sql('webhook_deliveries').insert({
    id,
    subscription,
    message_id: `msg_${id}`,
    event_id: randomUUID(),
    event_type: 'things.created',
    payload: JSON.stringify({ type: 'things.created', data: { id: 1 } }),
    status: 'pending',
    attempts: 0,
    date_created: sql.fn.now(),
  });
  return id;
}

const subscriptionRow = (id: string) =>
  sql('webhook_subscriptions').where({ id }).first('enabled', 'disabled_reason', 'failing_since');
const deliveryRow = (id: string) =>
  sql('webhook_deliveries')
    .where({ id })
    .first(
      'status',
      'attempts',
      'last_error',
      sql.raw('extract(epoch from next_attempt_at - now())::int as wait_seconds'),
      sql.raw('locked_until is null as released'),
    );

/** The first attempt is really sent, fails, and opens the circuit; the endpoint is failing from then on. */
async function firstFailure(deliver: ReturnType<typeof deliverer>, subscription: string) {
  const first = await newDelivery(subscription);
  await deliver(job(first));
  expect(await deliveryRow(first)).toMatchObject({ status: 'retrying', attempts: 1, last_error: 'HTTP 500' });
  const row = await subscriptionRow(subscription);
  expect(row).toMatchObject({ enabled: true, disabled_reason: null });
  expect(row.failing_since).not.toBeNull();
}

beforeAll(async () => {
  db = await throwawayDatabase('webhooks');
  sql = db.knex;
  await installPlatformSql(db);
  // The queues the held delivery (its retry) and the disabling (the admins' notice) enqueue on.
  const boss = await startPgBoss(db);
  for (const queue of [DELIVER_QUEUE, NOTIFY_QUEUE]) {
    await boss.createQueue(deadLetterQueue(queue), { retryLimit: 0 });
    const { name, ...options } = bossQueueSettings(queue);
    await boss.createQueue(name, options);
  }
  await boss.stop({ graceful: false, close: true });
  await installWebhookSecrets(sql);
  await createDirectusTables(sql);
  // The webhook collections as the platform snapshot makes them (extensions/platform/spec/webhooks.ts), and the
  // columns of notification_outbox that a direct notice writes (spec/notifications.ts; rule is null, so no FK here).
  await sql.raw(`
    create table webhook_subscriptions (
      id uuid primary key, description varchar(255), url varchar(2000) not null, events json,
      enabled boolean not null default true, disabled_reason varchar(255), failing_since timestamptz,
      date_created timestamptz
    );
    create table webhook_deliveries (
      id uuid primary key, subscription uuid references webhook_subscriptions (id) on delete cascade,
      message_id varchar(64) not null unique, event_id varchar(64), event_type varchar(200), payload json,
      status varchar(16) not null default 'pending', attempts integer not null default 0, last_status integer,
      last_latency_ms integer, response_excerpt text, last_error varchar(1000), next_attempt_at timestamptz,
      last_attempt_at timestamptz, delivered_at timestamptz, locked_until timestamptz, date_created timestamptz
    );
    create table notification_outbox (
      id uuid primary key, key varchar(500) not null unique, event_type varchar(255), rule varchar(100),
      recipient uuid references directus_users (id) on delete set null, channel varchar(16),
      status varchar(16) not null default 'pending', subject text, body text, attempts integer not null default 0,
      date_created timestamptz not null default current_timestamp
    );
  `);
  // One active admin: who hears of a disabled endpoint.
  await sql('directus_roles').insert({ id: ADMIN.role, name: 'Administrator' });
  await sql('directus_policies').insert({ id: ADMIN.policy, name: 'Admin', admin_access: true, app_access: true });
  await sql('directus_access').insert({ role: ADMIN.role, policy: ADMIN.policy });
  await sql('directus_users').insert({ id: ADMIN.user, email: 'admin@example.com', role: ADMIN.role });
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await sql('notification_outbox').delete();
});

describe('a delivery held by an open circuit', () => {
  it('disables an endpoint failing for longer than the window, without sending, and gives its attempt back', async () => {
    const { http, requests } = failingEndpoint();
    const deliver = deliverer(http);
    const subscription = await newSubscription();
    await firstFailure(deliver, subscription);

    // The window passes: the endpoint has been failing since before it began (no sleep: the clock is the column's).
    await sql('webhook_subscriptions')
      .where({ id: subscription })
      .update({ failing_since: sql.raw('now() - make_interval(secs => ?)', [WINDOW_SECONDS * 2]) });
    const { failing_since: failingSince } = await subscriptionRow(subscription);

    // Another delivery to the same endpoint: the circuit is open (the cooldown is an hour), so it is held.
    const held = await newDelivery(subscription);
    await deliver(job(held));

    expect(requests).toHaveLength(1); // the first attempt only: the held one sent nothing
    expect(await deliveryRow(held)).toMatchObject({
      status: 'retrying',
      attempts: 0,
      last_error: 'circuit open: the endpoint keeps failing, not sent',
      released: true,
    });
    expect((await deliveryRow(held)).wait_seconds).toBeGreaterThan(COOLDOWN_SECONDS - 60);
    const retries = await sql(`${BOSS_SCHEMA}.job`)
      .where({ name: DELIVER_QUEUE })
      .whereRaw("data->>'delivery' = ?", [held])
      .select(sql.raw('extract(epoch from start_after - now())::int as wait_seconds'));
    expect(retries).toHaveLength(1);
    expect(retries[0].wait_seconds).toBeGreaterThan(COOLDOWN_SECONDS - 60);
    // Disabled by the held delivery: nothing else ran in between.
    expect(await subscriptionRow(subscription)).toMatchObject({
      enabled: false,
      disabled_reason: `no successful delivery since ${new Date(failingSince).toISOString()}`,
    });
    // The admins are told, in the app and by email.
    const notices = await sql('notification_outbox')
      .where({ event_type: 'webhooks.subscription.disabled' })
      .select('recipient', 'channel');
    expect(notices).toEqual(
      expect.arrayContaining([
        { recipient: ADMIN.user, channel: 'in_app' },
        { recipient: ADMIN.user, channel: 'email' },
      ]),
    );
    expect(notices).toHaveLength(2);
  });

  it('leaves an endpoint still within its window on', async () => {
    const { http, requests } = failingEndpoint();
    const deliver = deliverer(http);
    const subscription = await newSubscription();
    await firstFailure(deliver, subscription);

    const held = await newDelivery(subscription);
    await deliver(job(held));

    expect(requests).toHaveLength(1);
    expect(await deliveryRow(held)).toMatchObject({ status: 'retrying', attempts: 0 });
    expect(await subscriptionRow(subscription)).toMatchObject({ enabled: true, disabled_reason: null });
    expect(await sql('notification_outbox').count<Array<{ count: string }>>('* as count')).toEqual([{ count: '0' }]);
  });
});

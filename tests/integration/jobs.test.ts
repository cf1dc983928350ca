// Jobs and the events outbox on a real Directus + PostgreSQL, driven through the test-only probe extension
// (tests/extensions/groundwork-probe, loaded by this instance only): transactional enqueue (JS and SQL), singleton
// keys, retries with backoff, dead letters, and the admin routes that list, retry and discard them. The instance is
// of the fixture domain (harness/fixture.ts): the platform bundle and the probe, no service desk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE_PASSWORD, useFixtureInstance } from './harness/fixture.js';
import { expectErrorEnvelope, getJson } from './http.js';
import {
  database,
  effects,
  jobStates,
  probe,
  PROBE_ENV,
  PROBE_EXTENSIONS,
  waitFor,
  type TestDatabase,
} from './jobs-support.js';

let sql: TestDatabase;
// Before the fixture's own teardown, which drops the database under any connection still open.
afterAll(async () => {
  await sql?.end();
});

// member: the fixture's Member role, without app access, so not staff for the jobs routes.
const fixture = useFixtureInstance({
  name: 'jobs',
  env: PROBE_ENV,
  testExtensions: PROBE_EXTENSIONS,
  members: ['member'],
});
let admin: string;

beforeAll(() => {
  sql = database(fixture.db);
  admin = fixture.admin;
});

const baseUrl = () => fixture.instance.baseUrl;
const jobsUrl = () => `${baseUrl()}/groundwork/v1/jobs`;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * A user of a role made here whose policy has app access and no permissions: staff to the jobs routes (they list
 * jobs to admins and to app users, extensions/platform/src/jobs/routes.ts), yet no admin.
 */
async function staffUser(): Promise<string> {
  const policy = await fixture.ok<{ id: string }>(admin, 'POST', '/policies', {
    name: unique('App staff'),
    app_access: true,
    admin_access: false,
  });
  const role = await fixture.ok<{ id: string }>(admin, 'POST', '/roles', { name: unique('Staff') });
  await fixture.ok(admin, 'POST', '/access', { role: role.id, policy: policy.id });
  const email = `${unique('staff')}@fixture.example.com`;
  await fixture.ok(admin, 'POST', '/users', { email, password: FIXTURE_PASSWORD, role: role.id, status: 'active' });
  return fixture.login(email);
}

describe('enqueue in the caller transaction', () => {
  it('enqueues nothing when the transaction rolls back, and runs the job when it commits (JS enqueue)', async () => {
    const rolledBack = unique('rollback');
    const committed = unique('commit');
    const rb = await probe(baseUrl(), admin, { jobs: [{ key: rolledBack }], rollback: true });
    expect(rb.committed).toBe(false);
    expect(rb.ids[0]).toEqual(expect.any(String));
    const ok = await probe(baseUrl(), admin, { jobs: [{ key: committed }] });

    await waitFor(
      () => effects(sql, [committed]),
      (rows) => rows.length === 1,
      15_000,
      'committed job ran',
    );
    expect(await jobStates(sql, [rb.ids[0] as string])).toEqual([]);
    expect(await effects(sql, [rolledBack])).toEqual([]);
    const [state] = await waitFor(
      () => jobStates(sql, [ok.ids[0] as string]),
      (rows) => rows[0]?.state === 'completed',
      10_000,
      'job completed',
    );
    expect(state?.state).toBe('completed');
    // Nothing ran for the rolled-back key, not even an attempt.
    expect(await sql.query('SELECT 1 FROM groundwork.probe_run WHERE key = $1', [rolledBack])).toEqual([]);
  });

  it('does the same through the SQL function a trigger would call', async () => {
    const rolledBack = unique('sql-rollback');
    const committed = unique('sql-commit');
    let rolledBackId = '';
    await sql.transaction(async (client) => {
      const { rows } = await client.query("SELECT groundwork_enqueue('groundwork.probe', $1::jsonb) AS id", [
        JSON.stringify({ key: rolledBack }),
      ]);
      rolledBackId = rows[0].id;
    }, false);
    await sql.transaction(async (client) => {
      await client.query("SELECT groundwork_enqueue('groundwork.probe', $1::jsonb) AS id", [
        JSON.stringify({ key: committed }),
      ]);
    }, true);
    await waitFor(
      () => effects(sql, [committed]),
      (rows) => rows.length === 1,
      15_000,
      'committed job ran',
    );
    expect(await jobStates(sql, [rolledBackId])).toEqual([]);
    expect(await effects(sql, [rolledBack])).toEqual([]);
  });

  it('refuses an unknown queue in the SQL function, failing the transaction', async () => {
    await expect(
      sql.transaction(async (client) => {
        await client.query("SELECT groundwork_enqueue('no.such.queue', '{}'::jsonb)");
      }, true),
    ).rejects.toThrow(/queue "no.such.queue" does not exist/);
  });

  it('keeps one live job per singleton key', async () => {
    const key = unique('singleton');
    const first = await probe(baseUrl(), admin, {
      jobs: [{ key: `${key}-a`, sleepMs: 1500 }],
      singletonKey: key,
    });
    const second = await probe(baseUrl(), admin, { jobs: [{ key: `${key}-b` }], singletonKey: key });
    expect(first.ids[0]).toEqual(expect.any(String));
    expect(second.ids[0]).toBeNull();
    await waitFor(
      () => effects(sql, [`${key}-a`]),
      (rows) => rows.length === 1,
      15_000,
      'first singleton ran',
    );
    // Its effect shows before pg-boss completes the job (after the handler returns); a live job holds the key.
    await waitFor(
      () => jobStates(sql, [first.ids[0] as string]),
      (rows) => rows.length === 1 && rows[0]!.state === 'completed',
      15_000,
      'first singleton completed',
    );
    // Once the first finished, the key is free again.
    const third = await probe(baseUrl(), admin, { jobs: [{ key: `${key}-c` }], singletonKey: key });
    expect(third.ids[0]).toEqual(expect.any(String));
    await waitFor(
      () => effects(sql, [`${key}-c`]),
      (rows) => rows.length === 1,
      15_000,
      'third singleton ran',
    );
    expect(await effects(sql, [`${key}-b`])).toEqual([]);
  });
});

describe('domain events outbox', () => {
  it('delivers a committed event to its handler once, and a rolled-back one never', async () => {
    const committed = await probe(baseUrl(), admin, {
      events: [{ type: 'groundwork.probe.created', item: '1' }],
    });
    const rolledBack = await probe(baseUrl(), admin, {
      events: [{ type: 'groundwork.probe.created', item: '2' }],
      rollback: true,
    });
    const [eventId] = committed.events;
    await waitFor(
      () => effects(sql, [`event:${eventId}`]),
      (rows) => rows.length === 1,
      15_000,
      'event delivered',
    );
    // The dispatch job stamps the event once every handler is through.
    const rows = await waitFor(
      () =>
        sql.query<{ id: string; type: string; dispatched_at: Date | null }>(
          'SELECT id, type, dispatched_at FROM groundwork.domain_event WHERE id = ANY($1::uuid[])',
          [[eventId, rolledBack.events[0]]],
        ),
      (found) => found.length !== 1 || found[0]!.dispatched_at !== null,
      10_000,
      'event stamped as dispatched',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ id: eventId, type: 'groundwork.probe.created', dispatched_at: expect.any(Date) });
    expect(await effects(sql, [`event:${rolledBack.events[0]}`])).toEqual([]);
  });

  it('publishes from SQL (a trigger) in the same transaction', async () => {
    let id = '';
    await sql.transaction(async (client) => {
      const { rows } = await client.query(
        "SELECT groundwork_publish_event('groundwork.probe.sql', 'probe', '42', NULL, '{\"a\":1}'::jsonb) AS id",
      );
      id = rows[0].id;
    }, true);
    await waitFor(
      () => effects(sql, [`event:${id}`]),
      (rows) => rows.length === 1,
      15_000,
      'SQL event delivered',
    );
  });
  it("publishes nothing, answering no id, in a transaction with groundwork.events 'off' (imports, seeds)", async () => {
    const item = unique('muted');
    let id: unknown = 'not run';
    await sql.transaction(async (client) => {
      await client.query("SET LOCAL groundwork.events = 'off'");
      const { rows } = await client.query(
        "SELECT groundwork_publish_event('groundwork.probe.sql', 'probe', $1, NULL, '{}'::jsonb) AS id",
        [item],
      );
      id = rows[0].id;
    }, true);
    expect(id).toBeNull();
    expect(await sql.query('SELECT id FROM groundwork.domain_event WHERE item = $1', [item])).toEqual([]);
    // The setting is the transaction's (SET LOCAL): the next one publishes again.
    const [next] = await sql.query<{ id: string }>(
      "SELECT groundwork_publish_event('groundwork.probe.sql', 'probe', $1, NULL, '{}'::jsonb) AS id",
      [item],
    );
    expect(next!.id).toEqual(expect.any(String));
  });
  it('lists a dead event as a dead job of groundwork.events, and lets an admin retry or discard it', async () => {
    const deadEvent = async (item: string) => {
      const [row] = await sql.query<{ id: string }>(
        `INSERT INTO groundwork.domain_event (type, collection, item, dead_at, attempts, last_error)
         VALUES ('groundwork.probe.revived', 'probe', $1, now(), 9, '{"name":"Error","message":"handler down"}')
         RETURNING id`,
        [item],
      );
      return row!.id;
    };
    const revived = await deadEvent(unique('dead-event'));
    const dropped = await deadEvent(unique('dead-event'));
    const listed = await getJson(`${jobsUrl()}?status=dead&queue=groundwork.events`, { headers: auth(admin) });
    expect(listed.status).toBe(200);
    const view = (listed.body.data as Array<Record<string, unknown>>).find((job) => job.id === revived);
    expect(view).toEqual(
      expect.objectContaining({ queue: 'groundwork.events', status: 'dead', attempts: 9, error: 'handler down' }),
    );
    const queues = (await getJson(`${jobsUrl()}/queues`, { headers: auth(admin) })).body.data as Array<
      Record<string, unknown>
    >;
    expect(queues.find((queue) => queue.queue === 'groundwork.events')!.dead as number).toBeGreaterThanOrEqual(2);

    const retried = await getJson(`${jobsUrl()}/${revived}/retry`, { method: 'POST', headers: auth(admin) });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ data: { id: revived, queue: 'groundwork.events' } });
    await waitFor(
      () => effects(sql, [`event:${revived}`]),
      (rows) => rows.length === 1,
      15_000,
      'retried event delivered',
    );
    expect((await getJson(`${jobsUrl()}/${revived}/retry`, { method: 'POST', headers: auth(admin) })).status).toBe(404);

    const discarded = await fetch(`${jobsUrl()}/${dropped}`, { method: 'DELETE', headers: auth(admin) });
    expect(discarded.status).toBe(204);
    expect(await sql.query('SELECT 1 FROM groundwork.domain_event WHERE id = $1', [dropped])).toEqual([]);
    expect(await effects(sql, [`event:${dropped}`])).toEqual([]);
  });
});

describe('retries, dead letters and the admin routes', () => {
  it('retries with exponential backoff, then dead-letters the job with its error and attempts', async () => {
    const key = unique('dies');
    const { ids } = await probe(baseUrl(), admin, { jobs: [{ key, failTimes: 10 }] });
    // retryLimit 2: three attempts, then the dead-letter queue.
    const dead = await waitFor(
      async () => (await getJson(`${jobsUrl()}?status=dead&queue=groundwork.probe`, { headers: auth(admin) })).body,
      (body) => (body.data as Array<{ data?: { key: string } }>).some((job) => job.data?.key === key),
      30_000,
      'dead letter listed',
    );
    const job = (dead.data as Array<Record<string, unknown>>).find((j) => (j.data as { key: string }).key === key);
    expect(job).toEqual(
      expect.objectContaining({
        queue: 'groundwork.probe',
        status: 'dead',
        attempts: 3,
        error: 'probe failure on attempt 3',
      }),
    );
    const runs = await sql.query<{ attempt: number; at: Date }>(
      'SELECT attempt, at FROM groundwork.probe_run WHERE key = $1 ORDER BY at',
      [key],
    );
    expect(runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
    // Backoff with retryDelay 1 s: the first retry waits at least 1 s, the second at least 2 s (plus jitter).
    const gaps = runs.slice(1).map((run, i) => run.at.getTime() - runs[i]!.at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);
    // The original is failed; staff see it as failed with the same error.
    const failed = (await getJson(`${jobsUrl()}?status=failed`, { headers: auth(admin) })).body.data as Array<
      Record<string, unknown>
    >;
    expect(failed.find((j) => j.id === ids[0])).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 3, maxAttempts: 3, error: 'probe failure on attempt 3' }),
    );
  });

  async function deadJobFor(key: string): Promise<string> {
    await sql.query('INSERT INTO groundwork.probe_fail (key) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
    await probe(baseUrl(), admin, { jobs: [{ key }] });
    const body = await waitFor(
      async () => (await getJson(`${jobsUrl()}?status=dead`, { headers: auth(admin) })).body,
      (b) => (b.data as Array<{ data?: { key: string } }>).some((job) => job.data?.key === key),
      30_000,
      'dead letter listed',
    );
    return (body.data as Array<{ id: string; data: { key: string } }>).find((job) => job.data.key === key)!.id;
  }

  it('lets an admin retry a dead job: it runs again in its queue and succeeds once the cause is fixed', async () => {
    const key = unique('revived');
    const id = await deadJobFor(key);
    await sql.query('DELETE FROM groundwork.probe_fail WHERE key = $1', [key]);
    const retried = await getJson(`${jobsUrl()}/${id}/retry`, { method: 'POST', headers: auth(admin) });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ data: { id, queue: 'groundwork.probe' } });
    await waitFor(
      () => effects(sql, [key]),
      (rows) => rows.length === 1,
      15_000,
      'retried job ran',
    );
    // It left the dead-letter queue, so a second retry finds nothing.
    const again = await getJson(`${jobsUrl()}/${id}/retry`, { method: 'POST', headers: auth(admin) });
    expect(again.status).toBe(404);
    expectErrorEnvelope(again, 'NOT_FOUND');
  });

  it('lets an admin discard a dead job', async () => {
    const key = unique('discarded');
    const id = await deadJobFor(key);
    const discarded = await fetch(`${jobsUrl()}/${id}`, { method: 'DELETE', headers: auth(admin) });
    expect(discarded.status).toBe(204);
    const dead = (await getJson(`${jobsUrl()}?status=dead`, { headers: auth(admin) })).body.data as Array<{
      id: string;
    }>;
    expect(dead.map((job) => job.id)).not.toContain(id);
    expect(await jobStates(sql, [id])).toEqual([]);
    const again = await getJson(`${jobsUrl()}/${id}`, { method: 'DELETE', headers: auth(admin) });
    expect(again.status).toBe(404);
  });

  it('shows jobs to staff without payloads, refuses retry and discard to non-admins, and everything to others', async () => {
    const key = unique('guarded');
    const id = await deadJobFor(key);
    const staff = await staffUser();
    const member = fixture.members.member.token;

    const listed = await getJson(`${jobsUrl()}?status=dead`, { headers: auth(staff) });
    expect(listed.status).toBe(200);
    const seen = (listed.body.data as Array<Record<string, unknown>>).find((job) => job.id === id);
    expect(seen).toEqual(expect.objectContaining({ status: 'dead', queue: 'groundwork.probe' }));
    expect(seen).not.toHaveProperty('data');
    expect((await getJson(`${jobsUrl()}/queues`, { headers: auth(staff) })).status).toBe(200);

    for (const token of [staff, member]) {
      const retry = await getJson(`${jobsUrl()}/${id}/retry`, { method: 'POST', headers: auth(token) });
      expect(retry.status).toBe(403);
      expectErrorEnvelope(retry, 'FORBIDDEN');
      const discard = await getJson(`${jobsUrl()}/${id}`, { method: 'DELETE', headers: auth(token) });
      expect(discard.status).toBe(403);
    }
    for (const headers of [auth(member), {}]) {
      expect((await getJson(jobsUrl(), { headers })).status).toBe(403);
      expect((await getJson(`${jobsUrl()}/queues`, { headers })).status).toBe(403);
      const probeRoute = `${baseUrl()}/groundwork-probe/jobs`;
      expect((await getJson(probeRoute, { method: 'POST', headers })).status).toBe(403);
    }
    // Still dead: nothing the refused calls did moved it.
    const dead = (await getJson(`${jobsUrl()}?status=dead`, { headers: auth(admin) })).body.data as Array<{
      id: string;
    }>;
    expect(dead.map((job) => job.id)).toContain(id);
  });

  it('rejects bad input with a 4xx envelope', async () => {
    const badId = await getJson(`${jobsUrl()}/not-a-uuid/retry`, { method: 'POST', headers: auth(admin) });
    expect(badId.status).toBe(400);
    expectErrorEnvelope(badId, 'INVALID_PARAMS');
    const badStatus = await getJson(`${jobsUrl()}?status=zombie`, { headers: auth(admin) });
    expect(badStatus.status).toBe(400);
    expectErrorEnvelope(badStatus, 'INVALID_QUERY');
    const badLimit = await getJson(`${jobsUrl()}?limit=100000`, { headers: auth(admin) });
    expect(badLimit.status).toBe(400);
    const unknown = await getJson(`${jobsUrl()}/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
      headers: auth(admin),
    });
    expect(unknown.status).toBe(404);
  });

  it('counts jobs per queue', async () => {
    const body = (await getJson(`${jobsUrl()}/queues`, { headers: auth(admin) })).body.data as Array<
      Record<string, unknown>
    >;
    const probeQueue = body.find((queue) => queue.queue === 'groundwork.probe');
    expect(probeQueue).toEqual(expect.objectContaining({ failed: expect.any(Number), dead: expect.any(Number) }));
    expect(probeQueue!.dead as number).toBeGreaterThanOrEqual(1);
    expect(body.map((queue) => queue.queue)).toContain('groundwork.events');
    expect(body.map((queue) => queue.queue)).not.toContain('groundwork.probe.dead');
  });

  it("hides pg-boss's own queues (its cron timekeeper's) from the counts and the job list", async () => {
    // The queue exists (the runtime schedules cron jobs), so the assertions below can fail.
    expect(await sql.query("SELECT name FROM pgboss.queue WHERE name = '__pgboss__send-it'")).toHaveLength(1);
    const queues = (await getJson(`${jobsUrl()}/queues`, { headers: auth(admin) })).body.data as Array<{
      queue: string;
    }>;
    expect(queues.filter((queue) => queue.queue.startsWith('__pgboss__'))).toEqual([]);
    const listed = (await getJson(`${jobsUrl()}?limit=100`, { headers: auth(admin) })).body.data as Array<{
      queue: string;
    }>;
    expect(listed.filter((job) => job.queue.startsWith('__pgboss__'))).toEqual([]);
  });
});

describe('the Jobs module of the admin app', () => {
  it('is served to the app and enabled in the module bar at first boot', async () => {
    const settings = await getJson(`${baseUrl()}/settings?fields=module_bar`, { headers: auth(admin) });
    expect(settings.status).toBe(200);
    const bar = (settings.body.data as { module_bar: Array<{ type: string; id: string; enabled: boolean }> })
      .module_bar;
    expect(bar).toContainEqual({ type: 'module', id: 'groundwork-jobs', enabled: true });
    expect(bar.at(-1)).toEqual(expect.objectContaining({ id: 'settings' }));
    const source = await fetch(`${baseUrl()}/extensions/sources/index.js`, { headers: auth(admin) });
    expect(source.status).toBe(200);
    expect(await source.text()).toContain('groundwork-jobs');
  });
});

// Background exports (issue 11 item 5, decision 0059) on the real service desk, over HTTP as its real roles:
// POST /groundwork/v1/exports/:collection answers 202 at once; the run reads as the user who asked, as they are when
// it runs (a customer gets their organization's rows only, byte for byte what the GET gives; a role lowered since
// exports with the lower role; an account deactivated since gets a failed run); the file is downloadable by its
// owner and admins only, through our route, and is reachable through no /files, /assets or GraphQL request; a
// forbidden field or bad input is refused before any run exists; the owner is notified in the app. The same user's
// Idempotency-Key answers the run it started (another user's same key is theirs); the retention job deletes ended
// runs past their days with their chunks (decision 0062). Then on an instance of this file's own: `kill -9`
// mid-export leaves a running run with no file, and after the restart the retry drops the crashed attempt's chunks
// and ends with the whole file.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { ROLE } from '../spec/service-desk/access.js';
import { openDatabase } from '../../../scripts/snapshots/database.js';
import { exitWithin, startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, getJson, login, until } from '../../../tests/integration/http.js';
import { asAdmin, createDesk, settledJobStates, type Desk, type Login } from './fixtures.js';

interface Run {
  id: string;
  collection: string;
  format: string;
  status: string;
  user: string;
  attempts: number;
  error: string | null;
  file_name: string | null;
  file_url: string | null;
  progress: { rows_written: number; bytes_written: number; rows_per_second: number | null };
}

let desk: Desk;
const base = () => harness().baseUrl;
const auth = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const FIELDS = 'id,subject,organization.name';

async function startExport(token: string, collection: string, body: unknown) {
  return getJson(`${base()}/groundwork/v1/exports/${collection}`, {
    method: 'POST',
    headers: { ...auth(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
async function started(token: string, body: Record<string, unknown>): Promise<string> {
  const response = await startExport(token, 'tickets', body);
  if (response.status !== 202) throw new Error(`background export answered ${response.status}: ${response.text}`);
  const data = response.body.data as { id: string; status: string; url: string };
  expect(data).toEqual({ id: expect.any(String), status: 'queued', url: `/groundwork/v1/exports/runs/${data.id}` });
  expect(response.headers.get('location')).toBe(data.url);
  return data.id;
}
const readRun = (token: string | null, id: string) =>
  getJson(`${base()}/groundwork/v1/exports/runs/${id}`, { headers: auth(token) });
async function download(token: string | null, id: string) {
  const response = await fetch(`${base()}/groundwork/v1/exports/runs/${id}/file`, { headers: auth(token) });
  return {
    status: response.status,
    headers: response.headers,
    text: Buffer.from(await response.arrayBuffer()).toString(),
  };
}
async function finished(token: string, id: string): Promise<Run> {
  return until(
    `export run ${id} to end`,
    async () => {
      const run = (await readRun(token, id)).body.data as Run | undefined;
      return run && ['succeeded', 'failed'].includes(run.status) ? run : null;
    },
    120_000,
  );
}
async function getExport(token: string, params: Record<string, string>) {
  const response = await fetch(`${base()}/groundwork/v1/exports/tickets?${new URLSearchParams(params)}`, {
    headers: auth(token),
  });
  return { status: response.status, text: await response.text() };
}
const noticesOf = (user: string, id: string) =>
  desk.db('notification_outbox').where({ recipient: user }).andWhere('key', 'like', `export-run:${id}:%`);

async function newUser(label: string, role: string, organization: string | null): Promise<Login> {
  const email = `${label}-${randomBytes(3).toString('hex')}@${desk.run}.example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await asAdmin<{ id: string }>(desk, 'POST', '/users', { email, password, role, organization });
  return { id: user.id, email, token: await login(base(), email, password) };
}

/**
 * Starts a run and holds its row locked while `change` runs, so the worker (whose first write is to that row) starts
 * only after the change. If a worker was quicker than the lock (the run has an attempt already), tries a new run.
 */
async function startedThenChanged(token: string, body: Record<string, unknown>, change: () => Promise<void>) {
  for (let tries = 0; tries < 5; tries++) {
    const id = await started(token, body);
    const trx = await desk.db.transaction();
    try {
      const row = (await trx('groundwork.export_job').where({ id }).forUpdate().first('attempts')) as {
        attempts: number;
      };
      if (row.attempts !== 0) {
        await trx.rollback();
        continue;
      }
      await change();
      await trx.commit();
      return id;
    } catch (error) {
      if (!trx.isCompleted()) await trx.rollback();
      throw error;
    }
  }
  throw new Error('every run was started by a worker before the test could hold it');
}

const deskFilter = () => ({ organization: { _in: [desk.org.id, desk.otherOrg.id] } });
const ids = { own: [] as string[], other: [] as string[] };

beforeAll(async () => {
  desk = await createDesk('exports-bg');
  const ticket = async (org: string, subject: string, requester: string) => {
    const id = randomUUID();
    await desk.db('tickets').insert({ id, subject, status: 'open', priority: 'normal', organization: org, requester });
    return id;
  };
  for (let i = 0; i < 12; i++) ids.own.push(await ticket(desk.org.id, `Own ${i} ${desk.run}`, desk.users.customer.id));
  ids.own.push(await ticket(desk.org.id, '=HYPERLINK("http://evil.example/","x")', desk.users.customer.id));
  for (let i = 0; i < 3; i++)
    ids.other.push(await ticket(desk.otherOrg.id, `Elsewhere ${i} ${desk.run}`, desk.users.outsider.id));
}, 120_000);
afterAll(async () => {
  await desk?.db.destroy();
});

describe('a background export', () => {
  let runId = '';
  let fileName = '';

  it("holds only the customer's organization's rows, equals the GET's output, and notifies the customer", async () => {
    const { customer } = desk.users;
    for (const format of ['ndjson', 'csv'] as const) {
      const id = await started(customer.token, { format, fields: FIELDS, filter: deskFilter(), sort: 'subject' });
      const run = await finished(customer.token, id);
      expect(run).toMatchObject({
        id,
        collection: 'tickets',
        format,
        status: 'succeeded',
        user: customer.id,
        attempts: 1,
        error: null,
        file_url: `/groundwork/v1/exports/runs/${id}/file`,
      });
      expect(run.progress.rows_written).toBe(ids.own.length);
      const file = await download(customer.token, id);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toMatch(
        new RegExp(`^attachment; filename="tickets-.+\\.${format}"$`),
      );
      expect(run.progress.bytes_written).toBe(Buffer.byteLength(file.text));
      const direct = await getExport(customer.token, {
        format,
        fields: FIELDS,
        filter: JSON.stringify(deskFilter()),
        sort: 'subject',
      });
      expect(direct.status).toBe(200);
      expect(file.text).toBe(direct.text);
      for (const own of ids.own) expect(file.text).toContain(own);
      for (const other of ids.other) expect(file.text).not.toContain(other);
      await until('the notice', async () => (await noticesOf(customer.id, id)).some((row) => row.status === 'sent'));
      const notices = await noticesOf(customer.id, id);
      expect(notices.map((row) => [row.channel, row.subject])).toEqual([['in_app', 'Export of tickets is ready']]);
      expect(notices[0].body).toContain(`/groundwork/v1/exports/runs/${id}/file`);
      runId = id;
      fileName = run.file_name!;
    }
    const mine = await getJson(`${base()}/groundwork/v1/exports/runs?limit=10`, { headers: auth(customer.token) });
    expect((mine.body.data as Run[]).map((run) => run.id)).toContain(runId);
  });

  it('is read and downloaded by its owner and admins only; every other role gets the 404 of an unknown run', async () => {
    expect(runId).not.toBe('');
    expect((await readRun(desk.admin, runId)).status).toBe(200);
    expect((await download(desk.admin, runId)).status).toBe(200);
    const neighbour = await newUser('neighbour', ROLE.customer, desk.org.id);
    const others = {
      manager: desk.users.manager.token,
      agent: desk.users.agent.token,
      editor: desk.users.editor.token,
      sameOrgCustomer: neighbour.token,
      outsider: desk.users.outsider.token,
    };
    for (const [who, token] of Object.entries(others)) {
      const run = await readRun(token, runId);
      expect([who, run.status]).toEqual([who, 404]);
      expectErrorEnvelope(run, 'NOT_FOUND');
      expect([who, (await download(token, runId)).status]).toEqual([who, 404]);
      const list = await getJson(`${base()}/groundwork/v1/exports/runs?limit=100`, { headers: auth(token) });
      expect((list.body.data as Run[]).some((entry) => entry.id === runId)).toBe(false);
    }
    expect((await readRun(null, runId)).status).toBe(401);
    expect((await download(null, runId)).status).toBe(401);
    expect((await readRun(desk.users.customer.token, randomUUID())).status).toBe(404);
    expectErrorEnvelope(await readRun(desk.users.customer.token, 'not-a-uuid'), 'INVALID_PARAMS');
  });

  it('is reachable through no /files, /assets, /items or GraphQL request of any role, the owner and admins included', async () => {
    expect(fileName).not.toBe('');
    // The bytes are in groundwork.export_chunk, never a directus_files row.
    expect(await desk.db('directus_files').where({ filename_download: fileName })).toHaveLength(0);
    const everyone = {
      admin: desk.admin,
      ...Object.fromEntries(Object.entries(desk.users).map(([k, v]) => [k, v.token])),
    };
    const filter = encodeURIComponent(JSON.stringify({ filename_download: { _eq: fileName } }));
    for (const [who, token] of Object.entries(everyone)) {
      const files = await getJson(`${base()}/files?filter=${filter}`, { headers: auth(token) });
      if (files.status === 200) expect([who, files.body.data]).toEqual([who, []]);
      else expect([who, files.status]).toEqual([who, 403]);
      const asset = await fetch(`${base()}/assets/${runId}`, { headers: auth(token) });
      expect([who, asset.status]).not.toEqual([who, 200]);
      for (const table of ['export_job', 'export_chunk', 'groundwork.export_chunk']) {
        const items = await getJson(`${base()}/items/${table}`, { headers: auth(token) });
        expect([who, table, items.status]).toEqual([who, table, 403]);
      }
      const graphql = await getJson(`${base()}/graphql/system`, {
        method: 'POST',
        headers: { ...auth(token), 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ files(filter: { filename_download: { _eq: ${JSON.stringify(fileName)} } }) { id } }`,
        }),
      });
      const data = (graphql.body as { data?: { files?: unknown[] } }).data;
      expect([who, data?.files ?? []]).toEqual([who, []]);
    }
  });
});

describe('refused at once', () => {
  const runsOf = (user: string) => desk.db('groundwork.export_job').where({ user_id: user });

  it.each([
    ['an unknown format', { format: 'pdf' }, 'INVALID_PAYLOAD'],
    ['a zero limit', { limit: 0 }, 'INVALID_PAYLOAD'],
    ['an unknown key', { fields: 'id', background: true }, 'INVALID_PAYLOAD'],
    ['a filter that is not an object', { filter: 'subject' }, 'INVALID_PAYLOAD'],
    ['an unknown filter operator', { filter: { subject: { _bogus: 1 } } }, 'INVALID_QUERY'],
  ])('answers %s with a 400 and starts no run', async (_label, body, code) => {
    const before = (await runsOf(desk.users.manager.id)).length;
    const response = await startExport(desk.users.manager.token, 'tickets', body);
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, code);
    expect(await runsOf(desk.users.manager.id)).toHaveLength(before);
  });

  it.each([
    ['a field outside the list', 'ticket_messages', { fields: 'id,internal' }],
    ['a filter on it', 'ticket_messages', { fields: 'id', filter: { internal: { _eq: true } } }],
    ['a sort on it', 'ticket_messages', { fields: 'id', sort: 'internal' }],
    ['a system collection', 'directus_users', { fields: 'id' }],
    ['an unknown collection', 'no_such_collection', { fields: 'id' }],
  ])("answers a customer's %s as the GET does, at once, and starts no run", async (_label, collection, body) => {
    const { customer } = desk.users;
    const before = (await runsOf(customer.id)).length;
    const response = await startExport(customer.token, collection, body);
    const params = Object.fromEntries(
      Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
    const direct = await getJson(`${base()}/groundwork/v1/exports/${collection}?${new URLSearchParams(params)}`, {
      headers: auth(customer.token),
    });
    expect(direct.status).toBe(403);
    expect(response.status).toBe(direct.status);
    expectErrorEnvelope(response, 'FORBIDDEN');
    expect(await runsOf(customer.id)).toHaveLength(before);
  });

  it('answers 401 without a sign-in', async () => {
    const response = await getJson(`${base()}/groundwork/v1/exports/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
  });
});

describe('runs as the user is when it runs', () => {
  it('exports with the lower role when the role was lowered after the request', async () => {
    const user = await newUser('lowered', ROLE.agent, desk.org.id);
    const body = { format: 'ndjson', fields: 'id', filter: deskFilter() };
    const id = await startedThenChanged(user.token, body, async () => {
      await asAdmin(desk, 'PATCH', `/users/${user.id}`, { role: ROLE.customer });
    });
    const run = await finished(desk.admin, id);
    expect(run.status).toBe('succeeded');
    const file = await download(desk.admin, id);
    const got = file.text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(got.sort()).toEqual([...ids.own].sort());
  });

  it('fails, and says so in a notice, when the account was deactivated after the request', async () => {
    const user = await newUser('leaver', ROLE.customer, desk.org.id);
    const id = await startedThenChanged(user.token, { fields: 'id' }, async () => {
      await asAdmin(desk, 'PATCH', `/users/${user.id}`, { status: 'suspended' });
    });
    const run = await finished(desk.admin, id);
    expect(run).toMatchObject({
      status: 'failed',
      error: 'The account that started the export is no longer active.',
      file_url: null,
    });
    expect((await download(desk.admin, id)).status).toBe(404);
    expect(await desk.db('groundwork.export_chunk').where({ run_id: id })).toHaveLength(0);
    await until('the notice', async () => (await noticesOf(user.id, id)).length === 1);
    expect((await noticesOf(user.id, id))[0].subject).toBe('Export of tickets failed');
  });
});

describe('Idempotency-Key (decision 0062)', () => {
  const withKey = (token: string, key: string, body: unknown, collection = 'tickets') =>
    getJson(`${base()}/groundwork/v1/exports/${collection}`, {
      method: 'POST',
      headers: { ...auth(token), 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const runsWith = (user: string) => desk.db('groundwork.export_job').where({ user_id: user }).pluck('id');
  const body = () => ({
    format: 'ndjson',
    fields: 'id,subject',
    filter: { subject: { _contains: desk.run }, id: { _nnull: true } },
  });

  it('answers the same key and query with the same run (202, same Location), and starts no second run', async () => {
    const { manager } = desk.users;
    const key = `export-${randomUUID()}`;
    const first = await withKey(manager.token, key, body());
    expect(first.status).toBe(202);
    const run = first.body.data as { id: string; url: string };
    const before = await runsWith(manager.id);
    // The same query spelled otherwise (fields as an array, the filter's keys in another order) is the same request.
    const again = await withKey(manager.token, key, {
      format: 'ndjson',
      fields: ['id', 'subject'],
      filter: { id: { _nnull: true }, subject: { _contains: desk.run } },
    });
    expect(again.status).toBe(202);
    expect((again.body.data as { id: string }).id).toBe(run.id);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await runsWith(manager.id)).toEqual(before);
    // Once it ended, the same key still answers it (with its status now), and still starts nothing.
    await finished(manager.token, run.id);
    const later = await withKey(manager.token, key, body());
    expect([later.status, later.body.data]).toEqual([202, { id: run.id, status: 'succeeded', url: run.url }]);
    expect(await runsWith(manager.id)).toEqual(before);
  });

  it('answers the same key with another query with a 409, and starts no run', async () => {
    const { manager } = desk.users;
    const key = `export-${randomUUID()}`;
    expect((await withKey(manager.token, key, body())).status).toBe(202);
    const before = await runsWith(manager.id);
    for (const other of [
      { ...body(), format: 'csv' },
      { ...body(), fields: 'id' },
      { ...body(), filter: undefined },
    ]) {
      const response = await withKey(manager.token, key, other);
      expect(response.status).toBe(409);
      expectErrorEnvelope(response, 'CONFLICT');
    }
    const elsewhere = await withKey(manager.token, key, { fields: 'id' }, 'kb_articles');
    expect(elsewhere.status).toBe(409);
    expect(await runsWith(manager.id)).toEqual(before);
  });

  it("gives another user reusing a key their own new run, whatever the query: the owner's run is neither answered nor hinted", async () => {
    const { customer, agent, manager } = desk.users;
    const key = `export-${randomUUID()}`;
    const victim = await withKey(customer.token, key, body());
    expect(victim.status).toBe(202);
    const victimRun = (victim.body.data as { id: string }).id;
    // Another query (a 409 would tell the attacker the key is in use) and the same query (a 202 with the victim's run
    // would hand it over): each attacker gets a run of their own.
    const attacks: Array<[Login, unknown]> = [
      [agent, { format: 'csv', fields: 'id' }],
      [manager, body()],
    ];
    for (const [attacker, attempt] of attacks) {
      const response = await withKey(attacker.token, key, attempt);
      expect(response.status).toBe(202);
      const data = response.body.data as { id: string; status: string };
      expect(data.id).not.toBe(victimRun);
      expect(data.status).toBe('queued');
      expect(response.text).not.toContain(victimRun);
      expect((await readRun(attacker.token, victimRun)).status).toBe(404);
    }
    // The owner's key still answers only the owner's run.
    const owner = await withKey(customer.token, key, body());
    expect((owner.body.data as { id: string }).id).toBe(victimRun);
  });

  it('refuses an over-long key with a 400 and starts no run', async () => {
    const { manager } = desk.users;
    const before = await runsWith(manager.id);
    const response = await withKey(manager.token, 'x'.repeat(256), body());
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'INVALID_PAYLOAD');
    expect(await runsWith(manager.id)).toEqual(before);
  });
});

describe('retention of export runs (decision 0062)', () => {
  it('deletes ended runs older than the retention with their chunks; a running one and a recent one stay', async () => {
    const { customer } = desk.users;
    const body = { format: 'ndjson', fields: 'id', filter: deskFilter() };
    const old = await started(customer.token, body);
    const recent = await started(customer.token, body);
    for (const id of [old, recent]) expect((await finished(customer.token, id)).status).toBe('succeeded');
    expect(await desk.db('groundwork.export_chunk').where({ run_id: old })).not.toHaveLength(0);
    // A run whose worker is busy (as the job sees it): running for 40 days, with a chunk of its attempt.
    const running = await started(customer.token, body);
    await finished(customer.token, running);
    await desk.db('groundwork.export_job').where({ id: running }).update({ status: 'running', finished_at: null });
    const ageDays = (id: string, days: number) =>
      desk
        .db('groundwork.export_job')
        .where({ id })
        .update({
          created_at: desk.db.raw('now() - make_interval(days => ?)', [days + 1]),
          finished_at: desk.db.raw('now() - make_interval(days => ?)', [days]),
        });
    await ageDays(old, 8);
    await ageDays(recent, 6);
    await desk
      .db('groundwork.export_job')
      .where({ id: running })
      .update({ created_at: desk.db.raw(`now() - interval '40 days'`) });
    expect((await download(customer.token, old)).status).toBe(200);

    await desk.db.raw("SELECT public.groundwork_enqueue('groundwork.exports-retention', '{}'::jsonb)");
    await until(
      'the old run deleted',
      async () => !(await desk.db('groundwork.export_job').where({ id: old }).first()),
    );
    expect(await desk.db('groundwork.export_chunk').where({ run_id: old })).toHaveLength(0);
    for (const token of [customer.token, desk.admin]) {
      const run = await readRun(token, old);
      expect(run.status).toBe(404);
      expectErrorEnvelope(run, 'NOT_FOUND');
      expect((await download(token, old)).status).toBe(404);
    }
    const mine = await getJson(`${base()}/groundwork/v1/exports/runs?limit=100`, { headers: auth(customer.token) });
    expect((mine.body.data as Run[]).map((run) => run.id)).not.toContain(old);
    // Kept: the recent run with its file, and the running one with its chunks.
    expect((await readRun(customer.token, recent)).status).toBe(200);
    expect((await download(customer.token, recent)).status).toBe(200);
    expect((await readRun(customer.token, running)).body.data).toMatchObject({ status: 'running' });
    expect(await desk.db('groundwork.export_chunk').where({ run_id: running })).not.toHaveLength(0);
  });
});

describe('kill -9 mid-export', () => {
  let db: PgConnection;
  let sql: Knex;
  const instances: DirectusInstance[] = [];
  // Quick crash recovery: the heartbeat's minimum, supervision every second, quick polling.
  const env = {
    GROUNDWORK_EXPORT_HEARTBEAT_SECONDS: '10',
    JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
    JOBS_POLLING_INTERVAL_SECONDS: '0.5',
  };
  const start = async (name: string) => {
    const instance = await startInstance({ db, name, env });
    instances.push(instance);
    return instance;
  };
  const get = (baseUrl: string, token: string, path: string) => getJson(`${baseUrl}${path}`, { headers: auth(token) });
  const chunksOf = (id: string) =>
    sql('groundwork.export_chunk').where({ run_id: id }).orderBy(['attempt', 'seq']).select('attempt', 'seq');

  beforeAll(async () => {
    db = await migratedTestDatabase('export_crash');
    sql = openDatabase(db);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) await instance.stop().catch(() => undefined);
    await sql?.destroy();
    if (db) await dropDatabase(harness().server, db.database);
  });

  it('leaves no file when the server dies mid-export; the retry drops the crashed chunks and ends with the whole file', async () => {
    const first = await start('export-crash-a');
    const admin = await login(first.baseUrl, harness().admin.email, harness().admin.password);
    const run = randomBytes(3).toString('hex');
    const call = async (path: string, body: unknown) => {
      const response = await getJson(`${first.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return response.body.data as { id: string };
    };
    const org = await call('/items/organizations', { name: `Crash ${run}`, domain: `crash-${run}.example.com` });
    const email = `manager-${run}@crash-${run}.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const manager = await call('/users', { email, password, role: ROLE.manager });
    let token = await login(first.baseUrl, email, password);
    // About 3 MiB of CSV: three chunks of the export's 1 MiB.
    const count = 14000;
    const padding = 'x'.repeat(200);
    for (let from = 0; from < count; from += 1000)
      await sql('tickets').insert(
        Array.from({ length: 1000 }, (_, i) => ({
          id: randomUUID(),
          subject: `crash-${run} ${String(from + i).padStart(5, '0')} ${padding}`,
          status: 'open',
          priority: 'normal',
          organization: org.id,
          requester: manager.id,
        })),
      );
    const body = { format: 'csv', fields: 'id,subject', filter: { organization: { _eq: org.id } }, sort: 'subject' };

    // The worker is held mid-export by the test, not by the code: a row of the test's own, uncommitted, takes the
    // place of attempt 1's second chunk, so the worker stores its first chunk and then waits on that row. If the
    // worker was quicker than the test (its second chunk is there), another run is tried.
    let id = '';
    let holder: Knex.Transaction | null = null;
    for (let tries = 0; tries < 5 && !holder; tries++) {
      const response = await getJson(`${first.baseUrl}/groundwork/v1/exports/tickets`, {
        method: 'POST',
        headers: { ...auth(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      id = (response.body.data as { id: string }).id;
      const trx = await sql.transaction();
      try {
        await trx('groundwork.export_chunk').insert({ run_id: id, attempt: 1, seq: 1, bytes: Buffer.from('held') });
        holder = trx;
      } catch (error) {
        await trx.rollback().catch(() => undefined);
        if ((error as { code?: string }).code !== '23505') throw error;
      }
    }
    if (!holder) throw new Error('every run was past its second chunk before the test could hold it');
    await until(
      'the worker waiting on the held chunk',
      async () => {
        const waiting = await sql.raw(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'insert into "groundwork"."export_chunk"%'`,
        );
        return (waiting.rows[0] as { n: number }).n > 0;
      },
      120_000,
    );
    // Mid-export: attempt 1 stored a chunk and its progress, and is not done: no file for anyone.
    expect((await chunksOf(id)).filter((chunk) => chunk.attempt === 1).map((chunk) => chunk.seq)).toContain(0);
    const midway = (await get(first.baseUrl, token, `/groundwork/v1/exports/runs/${id}`)).body.data as Run;
    expect(midway).toMatchObject({ status: 'running', attempts: 1, file_url: null });
    expect(midway.progress.bytes_written).toBeGreaterThanOrEqual(1024 * 1024);
    expect(
      (await fetch(`${first.baseUrl}/groundwork/v1/exports/runs/${id}/file`, { headers: auth(token) })).status,
    ).toBe(404);

    first.process.kill('SIGKILL');
    await exitWithin(first, 10_000);
    await holder.rollback();
    // Dead, and still no file: the run is not done, and its chunks are the crashed attempt's.
    const dead = (await sql('groundwork.export_job').where({ id }).first()) as {
      status: string;
      file_attempt: number | null;
    };
    expect(dead).toMatchObject({ status: 'running', file_attempt: null });
    expect(new Set((await chunksOf(id)).map((chunk) => chunk.attempt))).toEqual(new Set([1]));

    const second = await start('export-crash-b');
    token = await login(second.baseUrl, email, password);
    const done = await until(
      'the retried export to end',
      async () => {
        const current = (await get(second.baseUrl, token, `/groundwork/v1/exports/runs/${id}`)).body.data as Run;
        return ['succeeded', 'failed'].includes(current.status) ? current : null;
      },
      240_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    expect(done.progress.rows_written).toBe(count);
    const chunks = await chunksOf(id);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.every((chunk) => chunk.attempt === 2)).toBe(true);
    const file = await fetch(`${second.baseUrl}/groundwork/v1/exports/runs/${id}/file`, { headers: auth(token) });
    expect(file.status).toBe(200);
    const text = await file.text();
    expect(text).not.toContain('held');
    const direct = await fetch(
      `${second.baseUrl}/groundwork/v1/exports/tickets?${new URLSearchParams({
        format: 'csv',
        fields: body.fields,
        filter: JSON.stringify(body.filter),
        sort: body.sort,
      })}`,
      { headers: auth(token) },
    );
    expect(direct.status).toBe(200);
    expect(text).toBe(await direct.text());
    expect(text.trim().split('\n')).toHaveLength(count + 1);
    expect(await settledJobStates(sql, 'groundwork.exports', id)).toEqual(['completed']);
    // One notice, whatever the attempts.
    const notices = await sql('notification_outbox').where('key', 'like', `export-run:${id}:%`);
    expect(notices.map((row) => [row.recipient, row.channel])).toEqual([[manager.id, 'in_app']]);
  }, 600_000);
});

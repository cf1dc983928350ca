// Background imports (issue 11 items 1 and 3, decision 0054) on the real service desk, over HTTP as its real roles:
// `?background=true` answers 202 with a run id; the run imports as the user who asked (a customer's rows for another
// organization are still row errors, nothing written); its progress and report are read at
// GET /groundwork/v1/imports/runs/:id by its owner and admins only; an in-app notification says when it ended. Then
// on an instance of this file's own: `kill -9` mid-import writes nothing, and after the restart the run completes
// once, with every row exactly once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { ROLE } from '../spec/service-desk/access.js';
import { openDatabase } from '../../../scripts/snapshots/database.js';
import { exitWithin, startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, getJson, login } from '../../../tests/integration/http.js';
import { createDesk, importFile, settledJobStates, type Desk } from './fixtures.js';

interface Run {
  id: string;
  collection: string;
  status: string;
  dry_run: boolean;
  user: string;
  attempts: number;
  error: string | null;
  progress: {
    phase: string;
    rows_total: number | null;
    rows_checked: number;
    rows_written: number;
    percent: number;
    rows_per_second: number | null;
    eta_seconds: number | null;
  };
  report: {
    written: boolean;
    replayed: boolean;
    counts: { rows: number; insert: number; errors: number };
    errors: Array<{ row: number; field: string | null; code: string }>;
  } | null;
}

const FINISHED = ['succeeded', 'rejected', 'failed'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tag = () => `bg-${randomBytes(4).toString('hex')}`;

function post(
  baseUrl: string,
  token: string,
  collection: string,
  content: string,
  options: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  return importFile(token, collection, content, { background: 'true', ...options }, headers, 'tickets.csv', baseUrl);
}

const readRun = (baseUrl: string, token: string | null, id: string) =>
  getJson(`${baseUrl}/groundwork/v1/imports/runs/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

async function started(baseUrl: string, token: string, collection: string, content: string, options = {}) {
  const response = await post(baseUrl, token, collection, content, options);
  if (response.status !== 202) throw new Error(`background import answered ${response.status}: ${response.text}`);
  const data = response.body.data as { id: string; status: string; url: string };
  expect(data).toEqual({ id: expect.any(String), status: 'queued', url: `/groundwork/v1/imports/runs/${data.id}` });
  return data.id;
}

async function finished(baseUrl: string, token: string, id: string, timeoutMs = 120_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await readRun(baseUrl, token, id);
    expect(response.status).toBe(200);
    const run = response.body.data as Run;
    if (FINISHED.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} not finished: ${JSON.stringify(run)}`);
    await sleep(300);
  }
}

describe('background imports on the main instance', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await createDesk('imports-bg');
  }, 120_000);
  afterAll(async () => {
    await desk?.db.destroy();
  });

  const base = () => harness().baseUrl;
  const ticketsWith = (subject: string) => desk.db('tickets').where('subject', 'like', `${subject}%`);
  const noticesFor = (user: string, key: string) =>
    desk.db('notification_outbox').where({ recipient: user }).andWhere('key', 'like', `import-run:${key}:%`);

  it('answers 202 at once, imports as the user, reports progress and the report, and notifies in the app once', async () => {
    const subject = tag();
    const { manager } = desk.users;
    const rows = Array.from({ length: 25 }, (_, i) => `${subject} ${i},${desk.run}.example.com`);
    const id = await started(base(), manager.token, 'tickets', `subject,organization\n${rows.join('\n')}\n`, {
      relations: '{"organization":"domain"}',
    });
    const run = await finished(base(), manager.token, id);
    expect(run).toMatchObject({
      id,
      collection: 'tickets',
      status: 'succeeded',
      dry_run: false,
      user: manager.id,
      attempts: 1,
      error: null,
      progress: { phase: 'done', rows_total: 25, rows_checked: 25, rows_written: 25, percent: 100, eta_seconds: 0 },
      report: { written: true, replayed: false, counts: { rows: 25, insert: 25, errors: 0 } },
    });
    expect(await ticketsWith(subject)).toHaveLength(25);
    // Triggers ran as for the synchronous path (ticket numbers), and the rows are the user's.
    const [one] = await ticketsWith(subject);
    expect(one.number).toMatch(/^SD-\d+$/);
    expect(one.user_created).toBe(manager.id);
    // One in-app notice, no email; delivered into directus_notifications for the manager.
    await until(async () => (await noticesFor(manager.id, id)).some((row) => row.status === 'sent'));
    const notices = await noticesFor(manager.id, id);
    expect(notices.map((row) => [row.channel, row.subject])).toEqual([['in_app', 'Import into tickets finished']]);
    const delivered = await desk.db('directus_notifications').where({
      recipient: manager.id,
      subject: 'Import into tickets finished',
    });
    expect(delivered.length).toBeGreaterThanOrEqual(1);
  });

  it("runs a customer's import with the customer's permissions: another organization's rows are row errors, nothing is written", async () => {
    const subject = tag();
    const { customer } = desk.users;
    const csv = `subject,organization\n${subject} mine,${desk.run}.example.com\n${subject} theirs,other-${desk.run}.example.com\n`;
    const id = await started(base(), customer.token, 'tickets', csv, { relations: '{"organization":"domain"}' });
    const run = await finished(base(), customer.token, id);
    expect(run.status).toBe('rejected');
    expect(run.report!.written).toBe(false);
    expect(run.report!.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'organization', code: 'RELATION_NOT_FOUND' }),
    ]);
    expect(await ticketsWith(subject)).toHaveLength(0);
    await until(async () => (await noticesFor(customer.id, id)).length === 1);
    expect((await noticesFor(customer.id, id))[0].subject).toBe('Import into tickets: nothing written');
  });

  it("shows a run to its owner and admins only: every other role gets the unknown run's 404", async () => {
    const { agent } = desk.users;
    const id = await started(base(), agent.token, 'tickets', `subject\n${tag()} seen\n`, { dry_run: 'true' });
    const run = await finished(base(), agent.token, id);
    expect(run).toMatchObject({ status: 'succeeded', dry_run: true, report: { written: false } });
    expect((await readRun(base(), desk.admin, id)).status).toBe(200);
    for (const other of ['manager', 'agent2', 'editor', 'customer', 'outsider'] as const) {
      const response = await readRun(base(), desk.users[other].token, id);
      expect([other, response.status]).toEqual([other, 404]);
      expectErrorEnvelope(response, 'NOT_FOUND');
    }
    const unknown = await readRun(base(), agent.token, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect((await readRun(base(), null, id)).status).toBe(401);
    expectErrorEnvelope(await readRun(base(), agent.token, 'not-a-uuid'), 'INVALID_PARAMS');
    // The list has the caller's own runs only.
    const mine = await getJson(`${base()}/groundwork/v1/imports/runs?limit=100`, {
      headers: { authorization: `Bearer ${desk.users.agent2.token}` },
    });
    expect(mine.status).toBe(200);
    expect((mine.body.data as Run[]).some((entry) => entry.id === id)).toBe(false);
  });

  it('refuses a broken file with a 400 before any run exists, and bad options with a 400', async () => {
    const { manager } = desk.users;
    const broken = await post(base(), manager.token, 'tickets', 'subject,subject\na,b\n');
    expect(broken.status).toBe(400);
    expectErrorEnvelope(broken, 'INVALID_PAYLOAD');
    const badFlag = await post(base(), manager.token, 'tickets', 'subject\na\n', { background: 'maybe' });
    expect(badFlag.status).toBe(400);
    const system = await post(base(), manager.token, 'directus_users', 'email\na@b.c\n');
    expect(system.status).toBe(403);
  });

  it('answers the same run for a repeated Idempotency-Key, 409 for another file under it, and a rerun of the file writes nothing', async () => {
    const subject = tag();
    const { manager } = desk.users;
    const csv = `subject,organization\n${subject} once,${desk.run}.example.com\n`;
    const options = { relations: '{"organization":"domain"}' };
    const key = { 'idempotency-key': `bg-key-${subject}` };
    const first = await post(base(), manager.token, 'tickets', csv, options, key);
    const again = await post(base(), manager.token, 'tickets', csv, options, key);
    expect([first.status, again.status]).toEqual([202, 202]);
    const id = (first.body.data as { id: string }).id;
    expect((again.body.data as { id: string }).id).toBe(id);
    const other = await post(base(), manager.token, 'tickets', `subject\n${subject} other\n`, {}, key);
    expect(other.status).toBe(409);
    expect((await finished(base(), manager.token, id)).status).toBe('succeeded');
    // Without a key, the same file again: a new run that answers the first's report and writes nothing.
    const rerun = await finished(base(), manager.token, await started(base(), manager.token, 'tickets', csv, options));
    expect(rerun).toMatchObject({ status: 'succeeded', report: { replayed: true } });
    expect(await ticketsWith(subject)).toHaveLength(1);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(300);
  }
}

describe('kill -9 mid-import', () => {
  let db: PgConnection;
  let sql: Knex;
  const instances: DirectusInstance[] = [];
  const env = {
    // Quick crash recovery: the heartbeat's minimum, supervision every second, quick polling.
    GROUNDWORK_IMPORT_HEARTBEAT_SECONDS: '10',
    JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
    JOBS_POLLING_INTERVAL_SECONDS: '0.5',
  };
  const start = async (name: string) => {
    const instance = await startInstance({ db, name, env });
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    db = await migratedTestDatabase('import_crash');
    sql = openDatabase(db);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) await instance.stop().catch(() => undefined);
    await sql?.destroy();
    if (db) await dropDatabase(harness().server, db.database);
  });

  it('writes nothing when the worker dies, then completes the run once with every row exactly once', async () => {
    const first = await start('import-crash-a');
    const admin = await login(first.baseUrl, harness().admin.email, harness().admin.password);
    const run = randomBytes(3).toString('hex');
    const call = async (path: string, body: unknown) => {
      const response = await getJson(`${first.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return response.body.data as { id: string };
    };
    await call('/items/organizations', { name: `Crash ${run}`, domain: `crash-${run}.example.com` });
    const email = `manager-${run}@crash-${run}.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const manager = await call('/users', { email, password, role: ROLE.manager });
    let token = await login(first.baseUrl, email, password);

    // Enough rows that the run is still going when it is seen (the checks run at several thousand rows a second).
    const count = 20_000;
    const subject = `crash-${run}`;
    const lines = Array.from(
      { length: count },
      (_, i) => `${subject} ${String(i).padStart(5, '0')},crash-${run}.example.com`,
    );
    const id = await started(first.baseUrl, token, 'tickets', `subject,organization\n${lines.join('\n')}\n`, {
      relations: '{"organization":"domain"}',
    });
    // Mid-import: at least one chunk checked (the progress is written after every chunk), not yet finished; checking
    // or already writing (in the run's one transaction, which the kill rolls back either way).
    let seen: Run | null = null;
    await until(async () => {
      const response = await readRun(first.baseUrl, token, id);
      seen = response.body.data as Run;
      return seen.status === 'running' && seen.progress.rows_checked >= 1000;
    }, 180_000);
    expect(seen!.progress).toMatchObject({ phase: expect.stringMatching(/^(checking|writing)$/), rows_total: count });
    expect(seen!.progress.rows_per_second).toBeGreaterThan(0);
    expect(seen!.progress.eta_seconds).toBeGreaterThan(0);
    first.process.kill('SIGKILL');
    await exitWithin(first, 10_000);
    // The import's one transaction died with the process: nothing half-written.
    expect(await sql('tickets').where('subject', 'like', `${subject}%`).count({ n: '*' })).toEqual([{ n: '0' }]);

    const second = await start('import-crash-b');
    token = await login(second.baseUrl, email, password);
    const done = await finished(second.baseUrl, token, id, 300_000);
    expect(done).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      report: { written: true, counts: { rows: count, insert: count, errors: 0 } },
    });
    const stored = await sql('tickets')
      .where('subject', 'like', `${subject}%`)
      .select('subject')
      .count({ n: '*' })
      .groupBy('subject');
    expect(stored).toHaveLength(count);
    expect(stored.every((row) => Number(row.n) === 1)).toBe(true);
    expect(await settledJobStates(sql, 'groundwork.imports', id)).toEqual(['completed']);
    // One notice, whatever the attempts.
    const notices = await sql('notification_outbox').where('key', 'like', `import-run:${id}:%`);
    expect(notices.map((row) => [row.recipient, row.channel])).toEqual([[manager.id, 'in_app']]);
  }, 600_000);
});

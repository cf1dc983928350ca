// Saved import mappings, vocabulary columns with create-missing, and the retention of import runs (issue 11 item 1,
// decision 0058), on the real service desk over HTTP as its real roles: a saved mapping is reused with mapping_id=
// (the request's own options win); another user's is a 404 to every role but admin; ticket tags are checked against
// the `tags` collection by name, and created only with the caller's own create permission, inside the import's
// transaction (a dry run or a rejected run creates none); the retention job deletes only old ended runs.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POLICY } from '../spec/service-desk/access.js';
import { expectErrorEnvelope, mintApiKey, until } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, importFile, operationFlow, uploadCsv, type Desk } from './fixtures.js';

interface Report {
  written: boolean;
  dry_run: boolean;
  vocabularies?: Array<{ field: string; collection: string; created: number; names: string[] }>;
  counts: { rows: number; insert: number; update: number; errors: number };
  errors: Array<{ row: number; field: string | null; code: string; message: string }>;
}
interface Saved {
  id: string;
  name: string;
  collection: string;
  user: string | null;
  options: Record<string, unknown>;
}

const SAVED = '/groundwork/v1/imports/saved-mappings';
let desk: Desk;
let integration: string;
beforeAll(async () => {
  desk = await createDesk('mappings');
  // The Integration policy, through an API key as an integration uses it.
  integration = (await mintApiKey(desk.admin, POLICY.integration, { name: `integration ${desk.run}` })).key;
});
afterAll(async () => {
  await desk?.db.destroy();
});

async function report(token: string, collection: string, csv: string, options: Record<string, string> = {}) {
  const response = await importFile(token, collection, csv, options);
  if (response.status !== 200) throw new Error(`import answered ${response.status}: ${response.text}`);
  return (response.body as { data: Report }).data;
}
async function save(token: string, body: unknown): Promise<Saved> {
  const response = await call(token, 'POST', SAVED, body);
  if (response.status !== 201) throw new Error(`save answered ${response.status}: ${response.text}`);
  return (response.body as { data: Saved }).data;
}
const unique = () => `mp-${randomBytes(4).toString('hex')}`;
const ticketsWith = (subject: string) => desk.db('tickets').where('subject', 'like', `${subject}%`).orderBy('subject');
const tagsNamed = (names: string[]) => desk.db('tags').whereIn('name', names).orderBy('name').pluck('name');
const org = () => `${desk.run}.example.com`;

describe('saved mappings', () => {
  const mappingOf = async (token: string) =>
    save(token, {
      name: `Monthly ${unique()}`,
      collection: 'tickets',
      options: {
        mapping: { Title: 'subject', Company: 'organization', Notes: '' },
        relations: { organization: 'domain' },
      },
    });

  it('saves the options of an import and reuses them with mapping_id; the request wins over the saved ones', async () => {
    const { manager } = desk.users;
    const saved = await mappingOf(manager.token);
    expect(saved).toMatchObject({
      collection: 'tickets',
      user: manager.id,
      options: {
        mapping: { Title: 'subject', Company: 'organization', Notes: '' },
        relations: { organization: 'domain' },
      },
    });
    const subject = unique();
    // Without the saved mapping the columns fit no field: the file is refused.
    const csv = `Title,Company,Notes\n${subject} a,${org()},ignored\n`;
    expect((await importFile(manager.token, 'tickets', csv)).status).toBe(400);
    const done = await report(manager.token, 'tickets', csv, { mapping_id: saved.id });
    expect(done).toMatchObject({ written: true, counts: { insert: 1, errors: 0 } });
    const [row] = await ticketsWith(subject);
    expect(row).toMatchObject({ subject: `${subject} a`, organization: desk.org.id });
    // The request's mapping replaces the saved one (the saved relations still apply).
    const other = `Heading,Company\n${subject} b,${org()}\n`;
    const mine = await report(manager.token, 'tickets', other, {
      mapping_id: saved.id,
      mapping: JSON.stringify({ Heading: 'subject', Company: 'organization' }),
    });
    expect(mine).toMatchObject({ written: true, counts: { insert: 1 } });
    expect((await ticketsWith(subject)).map((ticket) => ticket.subject)).toEqual([`${subject} a`, `${subject} b`]);
  });

  it('lists, renames, replaces and deletes one’s own; names are unique per owner', async () => {
    const { agent } = desk.users;
    const saved = await mappingOf(agent.token);
    const listed = await call(agent.token, 'GET', `${SAVED}?collection=tickets`);
    expect((listed.body.data as Saved[]).map((entry) => entry.id)).toEqual([saved.id]);
    expect(
      (await call(agent.token, 'POST', SAVED, { name: saved.name, collection: 'tickets', options: {} })).status,
    ).toBe(409);
    const renamed = await call(agent.token, 'PATCH', `${SAVED}/${saved.id}`, {
      name: 'Renamed',
      options: { mode: 'upsert', match: 'number' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Renamed', options: { mode: 'upsert', match: 'number' } });
    // Options are replaced whole.
    expect((renamed.body.data as Saved).options).not.toHaveProperty('mapping');
    expect((await call(agent.token, 'DELETE', `${SAVED}/${saved.id}`)).status).toBe(204);
    expect((await call(agent.token, 'GET', `${SAVED}/${saved.id}`)).status).toBe(404);
    expect((await call(agent.token, 'DELETE', `${SAVED}/${saved.id}`)).status).toBe(404);
  });

  it("is a 404 to every other role for another user's mapping (read, rename, delete, use); an admin sees all", async () => {
    const { manager } = desk.users;
    const saved = await mappingOf(manager.token);
    const others: Array<[string, string]> = [
      ['agent', desk.users.agent.token],
      ['editor', desk.users.editor.token],
      ['customer', desk.users.customer.token],
      ['outsider customer', desk.users.outsider.token],
      ['integration', integration],
    ];
    const subject = unique();
    for (const [who, token] of others) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'taken over' }],
        ['DELETE', undefined],
      ] as const) {
        const response = await call(token, method, `${SAVED}/${saved.id}`, body);
        expect([who, method, response.status]).toEqual([who, method, 404]);
        expectErrorEnvelope(response, 'NOT_FOUND');
      }
      const listed = await call(token, 'GET', SAVED);
      expect([who, (listed.body.data as Saved[]).some((entry) => entry.id === saved.id)]).toEqual([who, false]);
      const used = await importFile(token, 'tickets', `Title,Company\n${subject},${org()}\n`, { mapping_id: saved.id });
      expect([who, used.status]).toEqual([who, 404]);
    }
    expect(await ticketsWith(subject)).toHaveLength(0);
    expect((await call(desk.admin, 'GET', `${SAVED}/${saved.id}`)).status).toBe(200);
    const all = await call(desk.admin, 'GET', SAVED);
    expect((all.body.data as Saved[]).some((entry) => entry.id === saved.id)).toBe(true);
    // The owner's mapping is unchanged by all of it.
    expect((await call(manager.token, 'GET', `${SAVED}/${saved.id}`)).body.data).toMatchObject({ name: saved.name });
  });

  it('refuses bad input with a 400 (403 for a system collection), and writes nothing', async () => {
    const { manager } = desk.users;
    const before = (await call(manager.token, 'GET', SAVED)).body.data as Saved[];
    const good = { name: unique(), collection: 'tickets', options: {} };
    for (const body of [
      { ...good, name: '' },
      { ...good, name: 'x'.repeat(101) },
      { ...good, collection: 'not a collection' },
      { ...good, options: { mode: 'merge' } },
      { ...good, options: { mapping: '{not json' } },
      { ...good, options: { mapping: { a: 'no such thing!' } } },
      { ...good, options: { vocabularies: { tags: 'tags' } } },
      { ...good, options: { dry_run: true } },
      { ...good, owner: desk.users.agent.id },
      { name: good.name, collection: 'tickets' },
      [],
    ]) {
      const response = await call(manager.token, 'POST', SAVED, body);
      expect([body, response.status]).toEqual([body, 400]);
      expectErrorEnvelope(response, 'INVALID_PAYLOAD');
    }
    expect((await call(manager.token, 'POST', SAVED, { ...good, collection: 'directus_users' })).status).toBe(403);
    expect((await call(manager.token, 'GET', `${SAVED}/not-a-uuid`)).status).toBe(400);
    expect((await call(manager.token, 'GET', `${SAVED}?collection=a-b`)).status).toBe(400);
    const saved = await save(manager.token, good);
    expect((await call(manager.token, 'PATCH', `${SAVED}/${saved.id}`, {})).status).toBe(400);
    expect((await call(manager.token, 'PATCH', `${SAVED}/${saved.id}`, { options: { mode: 'x' } })).status).toBe(400);
    expect((await call(manager.token, 'GET', `${SAVED}/${saved.id}`)).body.data).toMatchObject({ options: {} });
    expect((await call(manager.token, 'GET', SAVED)).body.data as Saved[]).toHaveLength(before.length + 1);
    const subject = unique();
    const csv = `subject,organization\n${subject},${org()}\n`;
    // A bad id, and a mapping saved for another collection, refuse the import.
    expect((await importFile(manager.token, 'tickets', csv, { mapping_id: 'nope' })).status).toBe(400);
    const articles = await save(manager.token, { name: unique(), collection: 'kb_articles', options: {} });
    const wrong = await importFile(manager.token, 'tickets', csv, { mapping_id: articles.id });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('kb_articles');
    expect((await importFile(manager.token, 'tickets', csv, { mapping_id: randomUUID() })).status).toBe(404);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });
});

describe('the Flow operation "Import file" with a saved mapping', () => {
  it("uses the triggering user's saved mapping; another user's is not found and nothing is written", async () => {
    const { manager, agent } = desk.users;
    const saved = await save(manager.token, {
      name: `Flow ${unique()}`,
      collection: 'tickets',
      options: { mapping: { Title: 'subject', Company: 'organization' }, relations: { organization: 'domain' } },
    });
    const flow = await operationFlow(desk, 'groundwork-import-file', {
      collection: 'tickets',
      file: '{{ $trigger.body.file }}',
      mapping_id: saved.id,
    });
    const subject = unique();

    const mine = await uploadCsv(manager.token, `Title,Company\n${subject} a,${org()}\n`);
    const answer = await call(manager.token, 'POST', `/flows/trigger/${flow}`, { file: mine });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ written: true, counts: { insert: 1, errors: 0 } });
    // The agent may not use the manager's mapping: refused before the file is read.
    const refused = await call(agent.token, 'POST', `/flows/trigger/${flow}`, { file: mine });
    // The flow answers the operation's error as its data.
    expect(refused.body).toMatchObject({ code: 'NOT_FOUND', extensions: { what: 'Saved mapping' } });
    expect((await ticketsWith(subject)).map((ticket) => ticket.subject)).toEqual([`${subject} a`]);
  });
});

describe('vocabulary columns (tags by name)', () => {
  const vocabularies = JSON.stringify({ tags: 'tags.name' });
  const relations = JSON.stringify({ organization: 'domain' });

  it('creates missing tags with create_missing as a manager, and writes the names as the ticket’s tags', async () => {
    const subject = unique();
    const [known, fresh1, fresh2] = [unique(), unique(), unique()];
    await asAdmin(desk, 'POST', '/items/tags', { name: known });
    const csv = `subject,organization,tags\n${subject} a,${org()},"${known}; ${fresh1}|${fresh2}"\n${subject} b,${org()},${fresh1}\n${subject} c,${org()},\n`;
    const done = await report(desk.users.manager.token, 'tickets', csv, {
      relations,
      vocabularies,
      create_missing: 'tags',
    });
    expect(done.errors).toEqual([]);
    expect(done).toMatchObject({ written: true, counts: { insert: 3 } });
    expect(done.vocabularies).toEqual([{ field: 'tags', collection: 'tags', created: 2, names: [fresh1, fresh2] }]);
    expect(await tagsNamed([known, fresh1, fresh2])).toEqual([known, fresh1, fresh2].sort());
    const rows = await ticketsWith(subject);
    expect(rows.map((row) => row.tags)).toEqual([[known, fresh1, fresh2], [fresh1], null]);
  });

  it('without create_missing, an unknown name is a row error and nothing is written', async () => {
    const subject = unique();
    const missing = unique();
    const done = await report(
      desk.users.manager.token,
      'tickets',
      `subject,organization,tags\n${subject},${org()},${missing}\n`,
      {
        relations,
        vocabularies,
      },
    );
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([expect.objectContaining({ row: 1, field: 'tags', code: 'VOCABULARY_NOT_FOUND' })]);
    expect(done.errors[0]!.message).toContain(missing);
    expect(await ticketsWith(subject)).toHaveLength(0);
    expect(await tagsNamed([missing])).toEqual([]);
  });

  it('a customer (no create on tags) gets row errors and nothing is written, neither tickets nor tags', async () => {
    const subject = unique();
    const missing = unique();
    const csv = `subject,organization,tags\n${subject} a,${org()},${missing}\n${subject} b,${org()},\n`;
    const done = await report(desk.users.customer.token, 'tickets', csv, {
      relations,
      vocabularies,
      create_missing: 'tags',
    });
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([
      expect.objectContaining({ row: 1, field: 'tags', code: 'VOCABULARY_CREATE_FORBIDDEN' }),
    ]);
    expect(await ticketsWith(subject)).toHaveLength(0);
    expect(await tagsNamed([missing])).toEqual([]);
  });

  it('a dry run creates nothing but reports what it would create', async () => {
    const subject = unique();
    const [fresh1, fresh2] = [unique(), unique()];
    const csv = `subject,organization,tags\n${subject},${org()},"[""${fresh1}"",""${fresh2}""]"\n`;
    const done = await report(desk.users.manager.token, 'tickets', csv, {
      relations,
      vocabularies,
      create_missing: 'tags',
      dry_run: 'true',
    });
    expect(done).toMatchObject({ dry_run: true, written: false, counts: { insert: 1, errors: 0 } });
    expect(done.vocabularies).toEqual([{ field: 'tags', collection: 'tags', created: 2, names: [fresh1, fresh2] }]);
    expect(await tagsNamed([fresh1, fresh2])).toEqual([]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('a run rejected for another row error creates no tags', async () => {
    const subject = unique();
    const fresh = unique();
    const csv = `subject,organization,tags\n${subject} a,${org()},${fresh}\n${subject} b,nowhere.invalid,\n`;
    const done = await report(desk.users.manager.token, 'tickets', csv, {
      relations,
      vocabularies,
      create_missing: 'tags',
    });
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([expect.objectContaining({ row: 2, code: 'RELATION_NOT_FOUND' })]);
    expect(await tagsNamed([fresh])).toEqual([]);
  });

  it('refuses a vocabulary that does not fit, as a whole (400)', async () => {
    const csv = `subject,organization,tags\n${unique()},${org()},a\n`;
    const misfits: Array<Record<string, string>> = [
      { vocabularies: JSON.stringify({ tags: 'tags.nothing' }) },
      { vocabularies: JSON.stringify({ tags: 'directus_users.email' }) },
      { vocabularies: JSON.stringify({ subject: 'tags.name' }) },
      { vocabularies: JSON.stringify({ tags: 'tags.color' }) },
      { vocabularies, create_missing: 'subject' },
      { vocabularies: JSON.stringify({ tags: 'tags' }) },
    ];
    for (const options of misfits) {
      const response = await importFile(desk.users.manager.token, 'tickets', csv, { relations, ...options });
      expect([options, response.status]).toEqual([options, 400]);
    }
  });
});

describe('retention of import runs', () => {
  it('the retention job deletes ended runs and records older than the retention, and keeps the rest', async () => {
    const user = desk.users.manager.id;
    const key = (label: string) => `retention-test:${desk.run}:${label}`;
    const record = (label: string, days: number) => ({
      key: key(label),
      fingerprint: 'x',
      collection: 'tickets',
      user_id: user,
      report: '{}',
      created_at: desk.db.raw(`now() - make_interval(days => ?)`, [days]),
    });
    // The table exists once an import ran (the tests above).
    await desk.db('groundwork.import_run').insert([record('old', 31), record('recent', 29)]);
    const job = (label: string, status: string, days: number) => ({
      id: randomUUID(),
      user_id: user,
      collection: 'tickets',
      options: '{}',
      fingerprint: label,
      file_name: 'f.csv',
      content_type: 'text/csv',
      status,
      created_at: desk.db.raw(`now() - make_interval(days => ?)`, [days + 1]),
      finished_at: status === 'running' ? null : desk.db.raw(`now() - make_interval(days => ?)`, [days]),
    });
    const jobs = {
      oldSucceeded: job('a', 'succeeded', 31),
      oldFailed: job('b', 'failed', 40),
      recentRejected: job('c', 'rejected', 29),
      oldRunning: job('d', 'running', 31),
      oldQueued: { ...job('e', 'queued', 31), finished_at: null },
    };
    await desk.db('groundwork.import_job').insert(Object.values(jobs));
    await desk.db.raw("SELECT public.groundwork_enqueue('groundwork.imports-retention', '{}'::jsonb)");
    // The job deletes old records, then old ended jobs, in separate statements: wait for both (once only the first was
    // awaited, and the jobs were read in between).
    await until(
      'the old record and the old ended jobs deleted',
      async () =>
        !(await desk
          .db('groundwork.import_run')
          .where({ key: key('old') })
          .first()) &&
        (await desk.db('groundwork.import_job').whereIn('id', [jobs.oldSucceeded.id, jobs.oldFailed.id]).pluck('id'))
          .length === 0,
    );
    expect(
      await desk
        .db('groundwork.import_run')
        .where({ key: key('recent') })
        .first(),
    ).toBeDefined();
    const left = await desk
      .db('groundwork.import_job')
      .whereIn(
        'id',
        Object.values(jobs).map((entry) => entry.id),
      )
      .pluck('id');
    expect(left.sort()).toEqual([jobs.recentRejected.id, jobs.oldRunning.id, jobs.oldQueued.id].sort());
  });
});

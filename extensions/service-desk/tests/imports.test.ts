// Issue 11 (data import, decision 0042): POST /groundwork/v1/imports/:collection on the real service desk, over HTTP
// as its real roles. An import writes what the caller could write through REST and nothing else: a customer's rows
// for another organization are row errors and nothing is written; a field outside a role's list is refused; the
// workflow's initial state holds; triggers run (ticket numbers, SLA due times); a dry run and a repeated run write
// nothing; hostile files are refused as a whole with a 4xx.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { harness } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope, getJson } from '../../../tests/integration/http.js';
import { call, createDesk, importFile, operationFlow, uploadCsv, type Desk } from './fixtures.js';

interface RowError {
  row: number;
  field: string | null;
  code: string;
  message: string;
}
interface Report {
  collection: string;
  mode: string;
  dry_run: boolean;
  written: boolean;
  replayed: boolean;
  checksum: string;
  counts: { rows: number; insert: number; update: number; skip: number; errors: number };
  errors: RowError[];
}

let desk: Desk;
beforeAll(async () => {
  desk = await createDesk('imports');
});
afterAll(async () => {
  await desk?.db.destroy();
});

async function report(
  token: string,
  collection: string,
  content: string | Buffer,
  options: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const response = await importFile(token, collection, content, options, headers);
  if (response.status !== 200) throw new Error(`import answered ${response.status}: ${response.text}`);
  return (response.body as { data: Report }).data;
}
const ticketsWith = (subject: string) => desk.db('tickets').where('subject', 'like', `${subject}%`).orderBy('subject');
const relations = JSON.stringify({ organization: 'domain', requester: 'email' });
const tag = () => `imp-${randomBytes(4).toString('hex')}`;

describe('tickets as staff', () => {
  it('writes what a REST create of the same row writes, with organization and requester by natural key', async () => {
    const subject = tag();
    const { manager, customer } = desk.users;
    const csv = `subject;description;priority;organization;requester\n"${subject} a";"Printer; jammed";high;${desk.run}.example.com;${customer.email}\n`;
    const done = await report(manager.token, 'tickets', csv, { relations });
    expect(done).toMatchObject({ written: true, dry_run: false, counts: { rows: 1, insert: 1, update: 0, errors: 0 } });
    const rest = await call(manager.token, 'POST', '/items/tickets', {
      subject: `${subject} b`,
      description: 'Printer; jammed',
      priority: 'high',
      organization: desk.org.id,
      requester: customer.id,
    });
    expect(rest.status).toBe(200);
    const [imported, created] = await ticketsWith(subject);
    const comparable = (row: Record<string, unknown>) => {
      const {
        id: _id,
        number: _number,
        subject: _subject,
        date_created: _created,
        first_response_due_at: _f,
        resolution_due_at: _r,
        ...rest
      } = row;
      return rest;
    };
    expect(comparable(imported)).toEqual(comparable(created));
    // The database's insert trigger numbered it and the SLA gave due times, as for the REST row.
    expect(imported.number).toMatch(/^SD-\d+$/);
    expect(imported.first_response_due_at).not.toBeNull();
    expect(imported.status).toBe('new');
    expect(imported.user_created ?? manager.id).toBe(manager.id);
  });

  it('refuses a state the workflow does not start in, as a row error, and writes nothing', async () => {
    const subject = tag();
    const csv = `subject,organization,status\n${subject} ok,${desk.run}.example.com,new\n${subject} bad,${desk.run}.example.com,closed\n`;
    const done = await report(desk.users.manager.token, 'tickets', csv, { relations: '{"organization":"domain"}' });
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([expect.objectContaining({ row: 2, field: 'status', code: 'TRANSITION_NOT_ALLOWED' })]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('upserts by ticket number: matched rows are updated, the others inserted', async () => {
    const subject = tag();
    const { manager } = desk.users;
    await report(manager.token, 'tickets', `subject,organization\n${subject} one,${desk.run}.example.com\n`, {
      relations: '{"organization":"domain"}',
    });
    const [first] = await ticketsWith(subject);
    const csv = `number,subject,priority,organization\n${first.number},${subject} one renamed,urgent,${desk.run}.example.com\n,${subject} two,low,${desk.run}.example.com\n`;
    const done = await report(manager.token, 'tickets', csv, {
      mode: 'upsert',
      match: 'number',
      relations: '{"organization":"domain"}',
    });
    expect(done.errors).toEqual([]);
    expect(done).toMatchObject({ written: true, counts: { insert: 1, update: 1, errors: 0 } });
    const rows = await ticketsWith(subject);
    expect(rows.map((row) => [row.subject, row.priority])).toEqual([
      [`${subject} one renamed`, 'urgent'],
      [`${subject} two`, 'low'],
    ]);
    expect(rows[0].id).toBe(first.id);
    expect(rows[1].number).toMatch(/^SD-\d+$/);
  });
});

describe('events of imported rows', () => {
  const eventTypes = async (ids: string[]) =>
    (await desk.db('groundwork.domain_event').whereIn('item', ids).select('type', 'item').orderBy('seq')).map(
      (event: { type: string; item: string }) => [event.type, ids.indexOf(event.item)],
    );
  it("publishes none by default (no receipt to every requester of an imported history), and each row's with notify", async () => {
    const { manager, customer } = desk.users;
    const subject = tag();
    const csv = (suffix: string) =>
      `subject,organization,requester\n${subject} ${suffix} a,${desk.run}.example.com,${customer.email}\n${subject} ${suffix} b,${desk.run}.example.com,${customer.email}\n`;
    expect(await report(manager.token, 'tickets', csv('quiet'), { relations })).toMatchObject({ written: true });
    const quiet = (await ticketsWith(`${subject} quiet`)).map((row: { id: string }) => row.id);
    expect(quiet).toHaveLength(2);
    expect(await eventTypes(quiet)).toEqual([]);

    expect(await report(manager.token, 'tickets', csv('told'), { relations, notify: 'true' })).toMatchObject({
      written: true,
    });
    const told = (await ticketsWith(`${subject} told`)).map((row: { id: string }) => row.id);
    expect(await eventTypes(told)).toEqual([
      ['tickets.created', 0],
      ['tickets.created', 1],
    ]);
  });

  it('treats the same file with notify as the same run: answered again, nothing written twice', async () => {
    const { manager } = desk.users;
    const subject = tag();
    const csv = `subject,organization\n${subject},${desk.run}.example.com\n`;
    const options = { relations: '{"organization":"domain"}' };
    expect(await report(manager.token, 'tickets', csv, options)).toMatchObject({ written: true, replayed: false });
    expect(await report(manager.token, 'tickets', csv, { ...options, notify: 'true' })).toMatchObject({
      replayed: true,
    });
    expect(await ticketsWith(subject)).toHaveLength(1);
  });
});

describe('tickets as a customer', () => {
  it('gets a row error for each ticket of another organization, and nothing is written', async () => {
    const subject = tag();
    const csv = [
      'subject,organization',
      `${subject} mine,${desk.run}.example.com`,
      `${subject} theirs,other-${desk.run}.example.com`,
      `${subject} mine too,${desk.run}.example.com`,
    ].join('\n');
    const done = await report(desk.users.customer.token, 'tickets', csv, { relations: '{"organization":"domain"}' });
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'organization', code: 'RELATION_NOT_FOUND' }),
    ]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('gets the permission validation as a row error when naming another organization by id', async () => {
    const subject = tag();
    const csv = `subject,organization\n${subject} a,${desk.otherOrg.id}\n`;
    const done = await report(desk.users.customer.token, 'tickets', csv);
    expect(done.errors).toEqual([
      expect.objectContaining({ row: 1, field: 'organization', code: 'FAILED_VALIDATION' }),
    ]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('writes own-organization tickets with the presets REST applies', async () => {
    const subject = tag();
    const done = await report(desk.users.customer.token, 'tickets', `subject\n${subject} via import\n`);
    expect(done).toMatchObject({ written: true, counts: { insert: 1 } });
    const [row] = await ticketsWith(subject);
    expect(row).toMatchObject({
      organization: desk.org.id,
      requester: desk.users.customer.id,
      channel: 'portal',
      status: 'new',
    });
  });

  it('gets a row error for a field outside its field list (the priority it may set, not the status)', async () => {
    const subject = tag();
    const done = await report(desk.users.customer.token, 'tickets', `subject,channel\n${subject},email\n`);
    expect(done.errors).toEqual([expect.objectContaining({ row: 1, code: 'FORBIDDEN' })]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });
});

describe('articles', () => {
  it("refuses an agent's rows that set a field outside its create list (author)", async () => {
    const slug = tag();
    const done = await report(
      desk.users.agent.token,
      'kb_articles',
      `title,slug,author\nT,${slug},${desk.users.editor.id}\n`,
    );
    expect(done.errors).toEqual([expect.objectContaining({ row: 1, code: 'FORBIDDEN' })]);
    expect(await desk.db('kb_articles').where({ slug })).toHaveLength(0);
  });

  it('upserts by slug, and a dry run reports the same counts and writes nothing', async () => {
    const slug = tag();
    const editor = desk.users.editor.token;
    await report(editor, 'kb_articles', `title,slug\nFirst,${slug}\n`);
    const csv = `title,slug\nRenamed,${slug}\nNew one,${slug}-2\n`;
    const dry = await report(editor, 'kb_articles', csv, { mode: 'upsert', match: 'slug', dry_run: 'true' });
    expect(dry).toMatchObject({ dry_run: true, written: false, counts: { insert: 1, update: 1, errors: 0 } });
    expect((await desk.db('kb_articles').where({ slug }).first()).title).toBe('First');
    expect(await desk.db('kb_articles').where({ slug: `${slug}-2` })).toHaveLength(0);
    const real = await report(editor, 'kb_articles', csv, { mode: 'upsert', match: 'slug' });
    expect(real).toMatchObject({ written: true, counts: { insert: 1, update: 1 } });
    expect((await desk.db('kb_articles').where({ slug }).first()).title).toBe('Renamed');
  });

  it('reports rows already in the database and repeats inside the file', async () => {
    const slug = tag();
    const editor = desk.users.editor.token;
    await report(editor, 'kb_articles', `title,slug\nA,${slug}\n`);
    const done = await report(editor, 'kb_articles', `title,slug\nB,${slug}\nC,${slug}-x\nD,${slug}-x\n`);
    expect(done.errors).toEqual([
      expect.objectContaining({ row: 1, code: 'DUPLICATE_IN_DATABASE' }),
      expect.objectContaining({ row: 3, code: 'DUPLICATE_IN_FILE' }),
    ]);
    expect(await desk.db('kb_articles').where({ slug: `${slug}-x` })).toHaveLength(0);
  });
});

describe('idempotency', () => {
  it('answers the first result for the same Idempotency-Key, and for the same file, and writes nothing again', async () => {
    const subject = tag();
    const csv = `subject,organization\n${subject},${desk.run}.example.com\n`;
    const options = { relations: '{"organization":"domain"}' };
    const key = { 'idempotency-key': `k-${subject}` };
    const first = await report(desk.users.agent.token, 'tickets', csv, options, key);
    expect(first).toMatchObject({ written: true, replayed: false });
    const again = await report(desk.users.agent.token, 'tickets', csv, options, key);
    expect(again).toMatchObject({ written: true, replayed: true, counts: first.counts });
    const sameFile = await report(desk.users.agent.token, 'tickets', csv, options);
    expect(sameFile).toMatchObject({ replayed: true });
    expect(await ticketsWith(subject)).toHaveLength(1);
    const otherFile = await importFile(
      desk.users.agent.token,
      'tickets',
      `${csv}x,${desk.run}.example.com\n`,
      options,
      key,
    );
    expect(otherFile.status).toBe(409);
  });
});

async function workbookOf(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The workbook with its central directory claiming that `part` unpacks to 3 GB: what a zip bomb declares. */
function claimingHuge(workbook: Buffer, part: string): Buffer {
  const bomb = Buffer.from(workbook);
  for (let at = 0; at < bomb.length - 46; at++) {
    if (bomb.readUInt32LE(at) !== 0x02014b50) continue;
    const name = bomb.toString('utf8', at + 46, at + 46 + bomb.readUInt16LE(at + 28));
    if (name === part) bomb.writeUInt32LE(3_000_000_000, at + 24);
  }
  return bomb;
}

describe('XLSX', () => {
  it('imports a named sheet as its CSV would be imported, with relations by natural key', async () => {
    const subject = tag();
    const { manager, customer } = desk.users;
    const bytes = await workbookOf({
      Notes: [
        ['not', 'tickets'],
        ['x', 'y'],
      ],
      Tickets: [
        ['subject', 'priority', 'organization', 'requester'],
        [`${subject} a`, 'high', `${desk.run}.example.com`, customer.email],
        [`${subject} b`, 'low', `${desk.run}.example.com`, customer.email],
      ],
    });
    const response = await importFile(manager.token, 'tickets', bytes, { relations, sheet: 'Tickets' }, {}, 'in.xlsx');
    expect(response.status).toBe(200);
    expect((response.body as { data: Report }).data).toMatchObject({ written: true, counts: { insert: 2, errors: 0 } });
    const rows = await ticketsWith(subject);
    expect(rows.map((row) => [row.priority, row.organization, row.requester])).toEqual([
      ['high', desk.org.id, customer.id],
      ['low', desk.org.id, customer.id],
    ]);
    // The insert trigger numbered them, as for a REST create.
    for (const row of rows) expect(row.number).toMatch(/^SD-\d+$/);
  });

  it("gives a customer's rows for another organization as row errors, as for CSV, and writes nothing", async () => {
    const subject = tag();
    const bytes = await workbookOf({
      S: [
        ['subject', 'organization'],
        [`${subject} mine`, `${desk.run}.example.com`],
        [`${subject} theirs`, `other-${desk.run}.example.com`],
      ],
    });
    // Named import.csv with a generic type: the zip's magic bytes say XLSX.
    const done = await report(desk.users.customer.token, 'tickets', bytes, { relations: '{"organization":"domain"}' });
    expect(done.written).toBe(false);
    expect(done.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'organization', code: 'RELATION_NOT_FOUND' }),
    ]);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('refuses a zip bomb, a missing sheet and a broken workbook with 400, and writes nothing', async () => {
    const good = await workbookOf({ S: [['subject'], ['a']] });
    const cases: Array<[Buffer, Record<string, string>, RegExp]> = [
      [claimingHuge(good, 'xl/worksheets/sheet1.xml'), {}, /unpacks \d+ times its size/],
      [good, { sheet: 'Nope' }, /no sheet named .+Nope.+; it has: S\./],
      [good.subarray(0, good.length - 30), { format: 'xlsx' }, /not an XLSX workbook|cannot be read/],
    ];
    const before = await desk.db('tickets').count({ n: '*' }).first();
    for (const [bytes, options, reason] of cases) {
      const response = await importFile(desk.users.manager.token, 'tickets', bytes, options, {}, 'in.xlsx');
      expect(response.status).toBe(400);
      expectErrorEnvelope(response, 'INVALID_PAYLOAD');
      expect(response.text).toMatch(reason);
    }
    expect(await desk.db('tickets').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('the Flow operation "Import file"', () => {
  /** A webhook flow whose one operation imports body.file, as whoever triggers it. */
  const importFlow = () =>
    operationFlow(desk, 'groundwork-import-file', {
      collection: 'tickets',
      file: '{{ $trigger.body.file }}',
      relations: { organization: 'domain' },
    });
  const trigger = (flow: string, token: string, file: string) =>
    call(token, 'POST', `/flows/trigger/${flow}`, { file });

  it("imports a file from Files with the triggering user's permissions, and answers the report", async () => {
    const subject = tag();
    const flow = await importFlow();
    const file = await uploadCsv(
      desk.users.manager.token,
      `subject,priority,organization\n${subject} a,high,${desk.run}.example.com\n${subject} b,low,${desk.run}.example.com\n`,
    );
    const answer = await trigger(flow, desk.users.manager.token, file);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ written: true, counts: { insert: 2, errors: 0 } });
    expect((await ticketsWith(subject)).map((row) => row.priority)).toEqual(['high', 'low']);
  });

  it('takes the reject path with the report when a row fails, and writes nothing', async () => {
    const subject = tag();
    const flow = await importFlow();
    const file = await uploadCsv(
      desk.users.manager.token,
      `subject,organization\n${subject} a,${desk.run}.example.com\n${subject} b,nowhere-${desk.run}.example.com\n`,
    );
    const answer = await trigger(flow, desk.users.manager.token, file);
    expect(answer.body).toMatchObject({
      code: 'IMPORT_ROW_ERRORS',
      report: { written: false, errors: [expect.objectContaining({ row: 2, code: 'RELATION_NOT_FOUND' })] },
    });
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it('cannot import, for a customer, a file the customer may not read', async () => {
    const subject = tag();
    const flow = await importFlow();
    const file = await uploadCsv(
      desk.users.manager.token,
      `subject,organization\n${subject},${desk.run}.example.com\n`,
    );
    const answer = await trigger(flow, desk.users.customer.token, file);
    expect(JSON.stringify(answer.body)).toMatch(/FORBIDDEN/);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });

  it("acts with the public's permissions when no one signed in: nothing is imported", async () => {
    const subject = tag();
    const flow = await importFlow();
    const file = await uploadCsv(
      desk.users.manager.token,
      `subject,organization\n${subject},${desk.run}.example.com\n`,
    );
    const answer = await getJson(`${harness().baseUrl}/flows/trigger/${flow}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file }),
    });
    expect(JSON.stringify(answer.body)).toMatch(/FORBIDDEN/);
    expect(await ticketsWith(subject)).toHaveLength(0);
  });
});

describe('reports and hostile files', () => {
  it('gives the row errors as CSV on Accept: text/csv', async () => {
    const response = await importFile(
      desk.users.manager.token,
      'tickets',
      `subject,satisfaction\nx,many\n`,
      {},
      { accept: 'text/csv' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    expect(response.text).toContain('row,field,code,message\r\n1,satisfaction,INVALID_TYPE,');
  });

  it('reads Latin-1 and UTF-16 files', async () => {
    const subject = tag();
    const latin = Buffer.from(`subject,organization\n${subject} Müller,${desk.run}.example.com\n`, 'latin1');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        `subject\tdescription\tpriority\torganization\n${subject} Zoë\tx\tlow\t${desk.run}.example.com\n`,
        'utf16le',
      ),
    ]);
    const options = { relations: '{"organization":"domain"}' };
    expect(await report(desk.users.manager.token, 'tickets', latin, options)).toMatchObject({ written: true });
    expect(await report(desk.users.manager.token, 'tickets', utf16, options)).toMatchObject({ written: true });
    expect((await ticketsWith(subject)).map((row) => row.subject)).toEqual([`${subject} Müller`, `${subject} Zoë`]);
  });

  it.each([
    ['wrong encoding', Buffer.from('subject\nMüller\n', 'latin1'), { encoding: 'utf-8' }, /not valid utf-8/],
    ['broken quoting', 'subject,description\n"open,quote\n', {}, /cannot be read/],
    ['an empty file', '', {}, /empty/],
    ['a header only', 'subject,description\n', {}, /no data rows/],
    ['duplicate headers', 'subject,subject\na,b\n', {}, /more than once/],
    ['a different schema', 'name,colour\na,b\n', {}, /does not match tickets.*name.*colour/],
    ['100k columns', `${Array.from({ length: 100000 }, (_, i) => `c${i}`).join(',')}\n1\n`, {}, /100000 columns/],
    ['a bad option', 'subject\na\n', { mode: 'merge' }, /mode/],
  ])('refuses %s with 400 and writes nothing', async (_label, content, options, reason) => {
    const before = await desk.db('tickets').count({ n: '*' }).first();
    const response = await importFile(desk.users.manager.token, 'tickets', content, options as Record<string, string>);
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'INVALID_PAYLOAD');
    expect(response.text).toMatch(reason);
    expect(await desk.db('tickets').count({ n: '*' }).first()).toEqual(before);
  });

  it('refuses a file over the size limit with 413 while it streams', async () => {
    const row = `${'x'.repeat(1023)}\n`;
    const big = Buffer.from(`subject\n${row.repeat(33 * 1024)}`);
    const response = await importFile(desk.users.manager.token, 'tickets', big);
    expect(response.status).toBe(413);
  });

  it('refuses system collections and unknown ones', async () => {
    expect((await importFile(desk.users.manager.token, 'directus_users', 'email\na@b.c\n')).status).toBe(403);
    expect((await importFile(desk.users.manager.token, 'no_such_thing', 'a\n1\n')).status).toBe(403);
  });
});

// `npm run seed` end to end on a throwaway database (bootstrap + migrate, then the seed CLI): the documented
// counts, a seeded customer logs in and sees only their organization's tickets, a second run adds nothing, and
// --tickets adds exactly that many tickets with unique SD- numbers.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startInstance, testRunsDir, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { repoRoot } from '../../../scripts/lib/paths.js';
import { dropDatabase, withClient, type PgConnection } from '../../../scripts/lib/postgres.js';
import { buildDemo, DEMO_PASSWORD, LEGACY_DEMO_INTEGRATION_TOKEN } from '../seed/core/demo.js';
import { migrate } from '../../../scripts/snapshots/migrator.js';
import { snapshotsDir } from '../../../scripts/snapshots/store.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { getJson } from '../../../tests/integration/http.js';

const urlOf = (db: PgConnection) =>
  `postgres://${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@${db.host}:${db.port}/${db.database}`;

function seed(db: PgConnection, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'extensions/service-desk/seed/cli.ts',
        '--database-url',
        urlOf(db),
        '--storage-root',
        storageRoot,
        ...args,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const TABLES = [
  'organizations',
  'directus_users',
  'tickets',
  'ticket_messages',
  'kb_categories',
  'kb_articles',
] as const;
type Counts = Record<(typeof TABLES)[number], number>;

async function counts(db: PgConnection): Promise<Counts> {
  return withClient(db, async (client) => {
    const result = {} as Counts;
    for (const table of TABLES) {
      result[table] = Number((await client.query(`select count(*)::int as n from ${table}`)).rows[0].n);
    }
    return result;
  });
}

const demo = buildDemo();
// startInstance gives the instance named 'seed' this local storage root; the seed writes the attachments there.
const storageRoot = path.join(testRunsDir, 'seed', 'uploads');
let db: PgConnection;
let instance: DirectusInstance;
let firstRun: { code: number | null; output: string };

beforeAll(async () => {
  db = await migratedTestDatabase('seed');
  instance = await startInstance({
    db,
    name: 'seed',
    afterBootstrap: async () => {
      await migrate({ connection: db, dir: snapshotsDir(), log: () => undefined });
      firstRun = await seed(db);
    },
  });
}, 180_000);

afterAll(async () => {
  await instance?.stop();
  if (db) await dropDatabase(harness().server, db.database);
});

describe('npm run seed', () => {
  it('writes the documented demo set and prints the logins and the demo password', async () => {
    expect(firstRun.code).toBe(0);
    expect(firstRun.output).toContain('demo data written');
    expect(firstRun.output).toContain(DEMO_PASSWORD);
    expect(firstRun.output).toContain('agent@groundwork.example.com');
    expect(await counts(db)).toEqual({
      organizations: 3,
      directus_users: 1 + 11, // the bootstrap admin and the demo people
      tickets: 200,
      ticket_messages: demo.messages.length,
      kb_categories: 5,
      kb_articles: 30,
    });
  });

  async function login(email: string): Promise<string> {
    const response = await getJson(`${instance.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    expect(response.status).toBe(200);
    return (response.body.data as { access_token: string }).access_token;
  }

  it('lets a seeded customer log in and see only their organization’s tickets', async () => {
    const customer = demo.users.find((user) => user.role === 'customer')!;
    const login = await getJson(`${instance.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: customer.email, password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const token = (login.body.data as { access_token: string }).access_token;
    const tickets = await getJson(`${instance.baseUrl}/items/tickets?fields=id,number,organization&limit=-1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tickets.status).toBe(200);
    const rows = tickets.body.data as Array<{ organization: string }>;
    const own = demo.tickets.filter((ticket) => ticket.organization === customer.organization).length;
    expect(own).toBeGreaterThan(0);
    expect(rows).toHaveLength(own);
    expect(new Set(rows.map((row) => row.organization))).toEqual(new Set([customer.organization]));

    const agent = await getJson(`${instance.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@groundwork.example.com', password: DEMO_PASSWORD }),
    });
    expect(agent.status).toBe(200);
  });

  it('stores the demo attachments: a customer downloads their organization’s public ones and nothing else', async () => {
    const messages = new Map(demo.messages.map((message) => [message.id, message]));
    const tickets = new Map(demo.tickets.map((ticket) => [ticket.id, ticket]));
    const orgOf = (attachment: (typeof demo.attachments)[number]) =>
      tickets.get(messages.get(attachment.message)!.ticket)!.organization;
    const customer = demo.users.find((user) => user.role === 'customer')!;
    const token = await login(customer.email);
    const mine = demo.attachments.filter(
      (attachment) => orgOf(attachment) === customer.organization && !messages.get(attachment.message)!.internal,
    );
    const notes = demo.attachments.filter(
      (attachment) => orgOf(attachment) === customer.organization && messages.get(attachment.message)!.internal,
    );
    const theirs = demo.attachments.filter((attachment) => orgOf(attachment) !== customer.organization);
    expect([mine.length > 0, notes.length > 0, theirs.length > 0]).toEqual([true, true, true]);
    expect(readFileSync(path.join(storageRoot, mine[0]!.filename_disk), 'utf8')).toBe(mine[0]!.content);

    const asset = await fetch(`${instance.baseUrl}/assets/${mine[0]!.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([asset.status, await asset.text()]).toEqual([200, mine[0]!.content]);
    for (const attachment of [notes[0]!, theirs[0]!, theirs[1]!]) {
      const refused = await fetch(`${instance.baseUrl}/assets/${attachment.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect([attachment.id, refused.status]).toEqual([attachment.id, 403]);
    }
    const files = await getJson(`${instance.baseUrl}/files?limit=-1&fields=id`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((files.body.data as Array<{ id: string }>).map((file) => file.id).sort()).toEqual(
      mine.map((attachment) => attachment.id).sort(),
    );
  });

  /** The demo integration API key a seed run printed (shown once; each run replaces it). */
  const printedKey = (output: string) => /integration account API key[^:]*: (gw_\S+)/.exec(output)?.[1];

  it('gives the Integration account a printed API key (no static token), with narrow access', async () => {
    const key = printedKey(firstRun.output)!;
    expect(key).toMatch(/^gw_[0-9a-f]{16}_/);
    const headers = { authorization: `Bearer ${key}` };
    // Without a directus_users permission, /users/me answers only the caller's id.
    const me = await getJson(`${instance.baseUrl}/users/me`, { headers });
    expect(me.body.data).toEqual({ id: demo.users.find((user) => user.role === 'integration')!.id });
    const tickets = await getJson(`${instance.baseUrl}/items/tickets?limit=1&fields=id`, { headers });
    expect(tickets.status).toBe(200);
    const messages = await getJson(`${instance.baseUrl}/items/ticket_messages?limit=1`, { headers });
    expect(messages.status).toBe(403);
    const stored = await withClient(db, (client) =>
      client.query('select token from directus_users where id = $1', [
        me.body.data && (me.body.data as { id: string }).id,
      ]),
    );
    expect(stored.rows[0]).toEqual({ token: null });
    const legacy = await getJson(`${instance.baseUrl}/items/tickets?limit=1`, {
      headers: { authorization: `Bearer ${LEGACY_DEMO_INTEGRATION_TOKEN}` },
    });
    expect(legacy.status).toBe(401);
  });

  it('adds nothing when run again', async () => {
    const before = await counts(db);
    const again = await seed(db);
    expect(again.code).toBe(0);
    expect(again.output).toContain('already present');
    expect(await counts(db)).toEqual(before);
    const files = await withClient(db, (client) =>
      client.query(
        'select (select count(*)::int from directus_files) as f, (select count(*)::int from ticket_messages_files) as j',
      ),
    );
    expect(files.rows[0]).toEqual({ f: demo.attachments.length, j: demo.attachments.length });
    // One demo key, replaced: the new one works, the one printed before does not.
    const keys = await withClient(db, (client) => client.query('select count(*)::int as n from groundwork.api_keys'));
    expect(keys.rows[0]).toEqual({ n: 1 });
    const answer = async (key: string | undefined) =>
      (
        await getJson(`${instance.baseUrl}/items/tickets?limit=1&fields=id`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).status;
    expect(await answer(printedKey(again.output))).toBe(200);
    expect(await answer(printedKey(firstRun.output))).toBe(401);
  });

  it('adds exactly N tickets with unique SD- numbers and one message each with --tickets N', async () => {
    const before = await counts(db);
    const run = await seed(db, ['--tickets', '1000']);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/added 1,000 tickets .* tickets\/s/);
    const after = await counts(db);
    expect(after.tickets - before.tickets).toBe(1000);
    expect(after.ticket_messages - before.ticket_messages).toBe(1000);
    expect(after.organizations).toBe(before.organizations);
    const numbers = await withClient(db, (client) =>
      client.query(
        "select count(*)::int as n, count(distinct number)::int as d, count(*) filter (where number ~ '^SD-[0-9]+$')::int as f from tickets",
      ),
    );
    expect(numbers.rows[0]).toEqual({ n: after.tickets, d: after.tickets, f: after.tickets });
  });

  it('adds M messages to each with --messages-per-ticket M: the requester first, then staff in turn', async () => {
    const before = await counts(db);
    const run = await seed(db, ['--tickets', '100', '--messages-per-ticket', '3']);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/added 100 tickets and 300 messages/);
    const after = await counts(db);
    expect(after.tickets - before.tickets).toBe(100);
    expect(after.ticket_messages - before.ticket_messages).toBe(300);
    // The newest 100 tickets: three messages each, a minute apart, the first and third by the requester, the second
    // by the assignee (the requester again on a new, unassigned ticket).
    const shape = await withClient(db, (client) =>
      client.query(
        `select count(*)::int as tickets,
                count(*) filter (where m.n = 3)::int as with_three,
                count(*) filter (where m.first_by_requester and m.second_by_staff)::int as in_turn
         from (select t.id, count(x.id) as n,
                      bool_and(x.author = t.requester) filter (where x.rank in (1, 3)) as first_by_requester,
                      bool_and(x.author = coalesce(t.assignee, t.requester)) filter (where x.rank = 2) as second_by_staff
               from tickets t
               join (select id, ticket, author, rank() over (partition by ticket order by date_created) as rank
                     from ticket_messages) x on x.ticket = t.id
               where t.id in (select id from tickets order by substring(number from 4)::int desc limit 100)
               group by t.id) m`,
      ),
    );
    expect(shape.rows[0]).toEqual({ tickets: 100, with_three: 100, in_turn: 100 });
    const refused = await seed(db, ['--tickets', '1', '--messages-per-ticket', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('--messages-per-ticket takes a whole number >= 1');
  });
});

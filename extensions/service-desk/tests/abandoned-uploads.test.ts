// Abandoned customer uploads (decision 0047's follow-up): a customer's upload never linked to a message is deleted,
// row and bytes, by the scheduled job once it is older than GROUNDWORK_ABANDONED_UPLOAD_HOURS. Linked uploads, fresh
// ones and staff files stay. Its own database and instance: the job runs on whichever worker takes it, and the
// bytes must be on this instance's disk.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knexFactory, { type Knex } from 'knex';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { adminToken, bearerClient, getJson, login, until } from '../../../tests/integration/http.js';
import { ROLE } from '../spec/service-desk/access.js';

const run = randomBytes(3).toString('hex');
let db: PgConnection;
let sql: Knex;
let instance: DirectusInstance;
let admin: string;
const { api, ok } = bearerClient(() => instance.baseUrl);
const people = {} as Record<'customer' | 'agent', { id: string; token: string }>;

async function upload(token: string, label: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([`${label} ${run}`]), `${label}.txt`);
  const answer = await getJson(`${instance.baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(answer.status).toBe(200);
  return (answer.body.data as { id: string }).id;
}

const diskNames = async () => new Set(await readdir(instance.env.STORAGE_LOCAL_ROOT!));
const diskNameOf = async (id: string) =>
  ((await sql('directus_files').where({ id }).first()) as { filename_disk: string }).filename_disk;

beforeAll(async () => {
  db = await migratedTestDatabase('abandoned_uploads');
  instance = await startMigratedInstance({ db, name: 'abandoned-uploads', env: {} });
  sql = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: 2 } });
  admin = await adminToken(instance.baseUrl);
  const org = await ok<{ id: string }>(admin, 'POST', '/items/organizations', {
    name: `Abandoned ${run}`,
    domain: `abandoned-${run}.example.com`,
  });
  for (const [key, role, organization] of [
    ['customer', ROLE.customer, org.id],
    ['agent', ROLE.agent, null],
  ] as const) {
    const email = `${key}-${run}@abandoned-${run}.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const user = await ok<{ id: string }>(admin, 'POST', '/users', { email, password, role, organization });
    people[key] = { id: user.id, token: await login(instance.baseUrl, email, password) };
  }
}, 240_000);

afterAll(async () => {
  await instance?.stop();
  await sql?.destroy();
  if (db) await dropDatabase(harness().server, db.database);
});

describe('abandoned customer uploads', () => {
  it("deletes a customer's old unlinked upload, row and bytes; keeps linked, fresh and staff files", async () => {
    const ticket = await ok<{ id: string }>(people.customer.token, 'POST', '/items/tickets', {
      subject: `abandoned ${run}`,
      description: 'x',
    });
    const abandoned = await upload(people.customer.token, 'abandoned');
    const linked = await upload(people.customer.token, 'linked');
    const fresh = await upload(people.customer.token, 'fresh');
    const staff = await upload(people.agent.token, 'staff');
    const message = await api(people.customer.token, 'POST', '/items/ticket_messages', {
      ticket: ticket.id,
      body: 'see attached',
      attachments: [{ directus_files_id: linked }],
    });
    expect(message.status).toBe(200);
    const abandonedOnDisk = await diskNameOf(abandoned);
    expect((await diskNames()).has(abandonedOnDisk)).toBe(true);

    // Two days old, past the default 24 h grace: all but `fresh`.
    const old = new Date(Date.now() - 48 * 3_600_000);
    await sql('directus_files').whereIn('id', [abandoned, linked, staff]).update({ uploaded_on: old });
    await sql.raw(`select groundwork_enqueue(?, '{}'::jsonb)`, ['service-desk.abandoned-uploads']);

    // FilesService deletes the row, then the bytes: wait for both (CI saw the row gone and the bytes not yet).
    await until(
      'the abandoned upload deleted, row and bytes',
      async () =>
        !(await sql('directus_files').where({ id: abandoned }).first()) && !(await diskNames()).has(abandonedOnDisk),
      60_000,
    );
    const left = await sql('directus_files').whereIn('id', [linked, fresh, staff]).pluck('id');
    expect(left.sort()).toEqual([linked, fresh, staff].sort());
    // The linked file still downloads for its customer.
    const download = await fetch(`${instance.baseUrl}/assets/${linked}`, {
      headers: { authorization: `Bearer ${people.customer.token}` },
    });
    expect(download.status).toBe(200);
  }, 120_000);
});

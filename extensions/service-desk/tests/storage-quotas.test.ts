// Storage quotas per organization (issue 15 item 1, decision 0047): a customer's uploads count against their
// organization (the platform's files capability asks the service desk whose quota an upload uses); the default is
// GROUNDWORK_FILES_OWNER_QUOTA, an organization's `storage_quota` overrides it; staff uploads count against no one.
// Over quota is a 413 STORAGE_QUOTA_EXCEEDED with no row and no bytes stored, also when uploads race.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { getJson, login } from '../../../tests/integration/http.js';
import { ROLE } from '../spec/service-desk/access.js';

const run = randomBytes(3).toString('hex');
const KIB = 1024;
let instance: DirectusInstance;
let admin: string;
const people = {} as Record<'customer' | 'colleague' | 'outsider' | 'agent', { id: string; token: string }>;
const orgs = {} as Record<'own' | 'other', string>;

type Answer = Awaited<ReturnType<typeof getJson>>;

async function call(token: string, method: string, route: string, body?: unknown): Promise<Answer> {
  return getJson(`${instance.baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function asAdmin<T>(method: string, route: string, body?: unknown): Promise<T> {
  const response = await call(admin, method, route, body);
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${response.text}`);
  return (response.body as { data: T }).data;
}

/** A plain-text upload of exactly `bytes` bytes. */
function upload(token: string, bytes: number, label: string): Promise<Answer> {
  const form = new FormData();
  form.append('title', `quota-${label}-${run}`);
  form.append('file', new Blob(['q'.repeat(bytes)]), `${label}.txt`);
  return getJson(`${instance.baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

const codeOf = (answer: Answer) =>
  (answer.body.errors as Array<{ extensions?: { code?: string } }> | undefined)?.[0]?.extensions?.code;

async function stored(user: string): Promise<{ rows: number; bytes: number }> {
  const rows = await asAdmin<Array<{ filesize: string | number }>>(
    'GET',
    `/files?filter[uploaded_by][_eq]=${user}&fields=filesize&limit=-1`,
  );
  return { rows: rows.length, bytes: rows.reduce((sum, row) => sum + Number(row.filesize), 0) };
}
const filesOnDisk = async () => (await readdir(instance.env.STORAGE_LOCAL_ROOT!)).length;

beforeAll(async () => {
  instance = await startInstance({
    db: harness().db,
    name: 'storage-quotas',
    env: { GROUNDWORK_FILES_OWNER_QUOTA: '8kb' },
  });
  admin = await login(instance.baseUrl, harness().admin.email, harness().admin.password);
  orgs.own = (
    await asAdmin<{ id: string }>('POST', '/items/organizations', {
      name: `Quota ${run}`,
      domain: `q-${run}.example.com`,
    })
  ).id;
  orgs.other = (
    await asAdmin<{ id: string }>('POST', '/items/organizations', {
      name: `Quota other ${run}`,
      domain: `qo-${run}.example.com`,
    })
  ).id;
  const make: Array<[keyof typeof people, string, string | null]> = [
    ['customer', ROLE.customer, orgs.own],
    ['colleague', ROLE.customer, orgs.own],
    ['outsider', ROLE.customer, orgs.other],
    ['agent', ROLE.agent, null],
  ];
  for (const [key, role, organization] of make) {
    const email = `${key}-${run}@quota.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const user = await asAdmin<{ id: string }>('POST', '/users', { email, password, role, organization });
    people[key] = { id: user.id, token: await login(instance.baseUrl, email, password) };
  }
}, 180_000);

afterAll(async () => {
  await instance?.stop();
});

describe('storage quotas per organization', () => {
  it('counts every customer of an organization against its default quota; over it is a 413 with nothing stored', async () => {
    expect((await upload(people.customer.token, 5 * KIB, 'first')).status).toBe(200);
    const disk = await filesOnDisk();
    // 5 KiB stored by a colleague of the same organization: 10 KiB would not fit in 8 KiB.
    const over = await upload(people.colleague.token, 5 * KIB, 'over');
    expect([over.status, codeOf(over)]).toEqual([413, 'STORAGE_QUOTA_EXCEEDED']);
    expect((over.body.errors as Array<{ message: string }>)[0]!.message).toMatch(/quota is used up/);
    expect(over.text).not.toMatch(/stack|at \w+ \(/);
    expect(await stored(people.colleague.id)).toEqual({ rows: 0, bytes: 0 });
    expect(await filesOnDisk()).toBe(disk);
    // What still fits passes.
    expect((await upload(people.colleague.token, 3 * KIB, 'fits')).status).toBe(200);
  });

  it("leaves other organizations' quotas and staff uploads alone", async () => {
    expect((await upload(people.outsider.token, 7 * KIB, 'outsider')).status).toBe(200);
    // Staff files are the provider's: no quota owner (bounded by the role's upload size instead).
    expect((await upload(people.agent.token, 20 * KIB, 'agent')).status).toBe(200);
  });

  it("takes the organization's own quota (data) over the default; customers cannot change it", async () => {
    const refused = await call(people.customer.token, 'PATCH', `/items/organizations/${orgs.own}`, {
      storage_quota: 10 ** 9,
    });
    expect(refused.status).toBe(403);
    expect(codeOf(await upload(people.customer.token, 4 * KIB, 'before-override'))).toBe('STORAGE_QUOTA_EXCEEDED');
    await asAdmin('PATCH', `/items/organizations/${orgs.own}`, { storage_quota: 64 * KIB });
    expect((await upload(people.customer.token, 4 * KIB, 'after-override')).status).toBe(200);
    await asAdmin('PATCH', `/items/organizations/${orgs.own}`, { storage_quota: 0 });
    expect(codeOf(await upload(people.customer.token, 1, 'zero'))).toBe('STORAGE_QUOTA_EXCEEDED');
  });

  it('lets exactly one of several parallel uploads through when only one fits', async () => {
    // 1 MiB each, so that the uploads are received together and their checks and writes overlap (without the lock,
    // several pass: measured by removing it).
    const size = 1024 * KIB;
    const used = (await stored(people.customer.id)).bytes + (await stored(people.colleague.id)).bytes;
    await asAdmin('PATCH', `/items/organizations/${orgs.own}`, { storage_quota: used + size + 100 });
    const disk = await filesOnDisk();
    const answers = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((n) => upload(n % 2 ? people.colleague.token : people.customer.token, size, `race-${n}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 413, 413, 413, 413, 413]);
    const after = (await stored(people.customer.id)).bytes + (await stored(people.colleague.id)).bytes;
    expect(after).toBe(used + size);
    expect(await filesOnDisk()).toBe(disk + 1);
  });
});

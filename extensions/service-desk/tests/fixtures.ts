// A small service desk for workflow and SLA tests on the main test instance: an SLA policy, two organizations,
// one login per role (two agents, two editors, two customers of one organization and one of another), and rows
// put straight into a given state with SQL (the insert trigger records history but does not check the state,
// like an import of old data would).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ROLE } from '../spec/service-desk/access.js';
import { openDatabase } from '../../../scripts/snapshots/database.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { adminToken, getJson, until } from '../../../tests/integration/http.js';

/**
 * A made-up word unique to this run: the label, sixteen random letters and a `q` (letters only, so the English stemmer
 * leaves it whole). Test files share one database, and the typo search also finds words whose trigrams mostly match
 * (pg_trgm word similarity ≥ 0.45). With six random letters two files' `shared…q` words had 6 of 14 trigrams in common
 * from the label alone, and one chance match more made the other file's tickets hits (CI of 755c5eb): 4.1 % of
 * 20,000 random pairs in psql reached 0.45. With sixteen, none did (highest 0.375).
 */
export const madeUpWord = (label: string) =>
  `${label}${[...randomBytes(16)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}q`;

/**
 * Runs a file's direct writes with domain events muted (decision 0073, as an import without notify), for files that
 * test something other than events (search). Every ticket created with events on notifies every agent of every file
 * sharing the database, and past the rule's burst limit (10 an hour per agent) another file's agents miss the
 * notification its positive control waits for: privacy-erasure timed out so while search.test's tickets were written.
 */
export const quietly = <T>(desk: Pick<Desk, 'db'>, write: (db: Knex.Transaction) => Promise<T>): Promise<T> =>
  desk.db.transaction(async (trx) => {
    await trx.raw("set local groundwork.events = 'off'");
    return write(trx);
  });

/** A ticket of the desk's customer (open, normal) with `fields` over it, written quietly; its id. */
export async function quietTicket(
  desk: Pick<Desk, 'db' | 'org' | 'users'>,
  fields: Record<string, unknown>,
): Promise<string> {
  const id = randomUUID();
  await quietly(desk, (db) =>
    db('tickets').insert({
      id,
      status: 'open',
      priority: 'normal',
      organization: desk.org.id,
      requester: desk.users.customer.id,
      ...fields,
    }),
  );
  return id;
}

export const POLICY_MINUTES = {
  first_response_low: 480,
  first_response_normal: 240,
  first_response_high: 60,
  first_response_urgent: 15,
  resolution_low: 7200,
  resolution_normal: 2880,
  resolution_high: 480,
  resolution_urgent: 120,
};

export type Login = { id: string; token: string; email: string };
export interface Desk {
  run: string;
  db: Knex;
  admin: string;
  policyId: number;
  org: { id: string };
  otherOrg: { id: string };
  users: Record<'manager' | 'agent' | 'agent2' | 'editor' | 'editor2' | 'customer' | 'outsider', Login>;
}

export async function call(token: string, method: string, route: string, body?: unknown) {
  return getJson(`${harness().baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function asAdmin<T = Record<string, unknown>>(
  desk: Pick<Desk, 'admin'>,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const response = await call(desk.admin, method, route, body);
  if (response.status !== 200) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

async function login(email: string, password: string): Promise<string> {
  const response = await getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`);
  return (response.body.data as { access_token: string }).access_token;
}

export async function createDesk(label: string): Promise<Desk> {
  const run = `${label}-${randomBytes(3).toString('hex')}`;
  const admin = await adminToken();
  const partial = { admin };
  const policy = await asAdmin<{ id: number }>(partial, 'POST', '/items/sla_policies', {
    name: `Policy ${run}`,
    ...POLICY_MINUTES,
  });
  const org = await asAdmin<{ id: string }>(partial, 'POST', '/items/organizations', {
    name: `Org ${run}`,
    domain: `${run}.example.com`,
    sla_policy: policy.id,
  });
  const otherOrg = await asAdmin<{ id: string }>(partial, 'POST', '/items/organizations', {
    name: `Other ${run}`,
    domain: `other-${run}.example.com`,
  });
  const people = {
    manager: [ROLE.manager, null],
    agent: [ROLE.agent, null],
    agent2: [ROLE.agent, null],
    editor: [ROLE.contentEditor, null],
    editor2: [ROLE.contentEditor, null],
    customer: [ROLE.customer, org.id],
    outsider: [ROLE.customer, otherOrg.id],
  } as const;
  const users = {} as Desk['users'];
  for (const [key, [role, organization]] of Object.entries(people)) {
    const email = `${key}-${run}@${run}.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const user = await asAdmin<{ id: string }>(partial, 'POST', '/users', { email, password, role, organization });
    users[key as keyof Desk['users']] = { id: user.id, email, token: await login(email, password) };
  }
  const db = openDatabase(harness().db);
  return { run, db, admin, policyId: policy.id, org, otherOrg, users };
}

/** A ticket of the desk's organization put straight into `status` (solved ones solved `solvedDaysAgo` ago). */
export async function ticketIn(
  desk: Desk,
  status: string,
  options: { solvedDaysAgo?: number; org?: string; priority?: string; createdMinutesAgo?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const solved = status === 'solved' || status === 'closed';
  await desk.db('tickets').insert({
    id,
    subject: `ticket ${status} ${desk.run}`,
    status,
    priority: options.priority ?? 'normal',
    organization: options.org ?? desk.org.id,
    requester: desk.users.customer.id,
    date_created: desk.db.raw(`now() - make_interval(mins => ?)`, [options.createdMinutesAgo ?? 0]),
    solved_at: solved ? desk.db.raw(`now() - make_interval(days => ?)`, [options.solvedDaysAgo ?? 1]) : null,
  });
  return id;
}

/** An article put straight into `status`, written by `author`. */
export async function articleIn(desk: Desk, status: string, author: string): Promise<string> {
  const id = randomUUID();
  await desk.db('kb_articles').insert({
    id,
    title: `article ${status} ${desk.run}`,
    slug: `article-${id}`,
    status,
    author,
  });
  return id;
}

export async function historyOf(desk: Desk, item: string) {
  return desk.db('workflow_history').where({ item }).orderBy('id');
}

/** An item's workflow and SLA events (item events such as tickets.created belong to the notifications tests). */
export async function eventsOf(desk: Desk, item: string) {
  return desk
    .db('groundwork.domain_event')
    .where({ item })
    .andWhere((query) => query.where('type', 'like', 'workflow.%').orWhere('type', 'like', 'sla.%'))
    .orderBy('occurred_at');
}

/**
 * A webhook flow (POST, answering its last operation's result) whose one operation is `type` with `options`; answers
 * the flow's id. Directus runs its operations with the accountability of whoever triggers it.
 */
export async function operationFlow(
  desk: Pick<Desk, 'admin' | 'run'>,
  type: string,
  options: Record<string, unknown>,
): Promise<string> {
  const flow = await asAdmin<{ id: string }>(desk, 'POST', '/flows', {
    name: `${type} ${desk.run} ${randomUUID()}`,
    status: 'active',
    trigger: 'webhook',
    options: { method: 'POST', return: '$last' },
  });
  const operation = await asAdmin<{ id: string }>(desk, 'POST', '/operations', {
    flow: flow.id,
    key: 'step',
    name: type,
    type,
    position_x: 19,
    position_y: 1,
    options,
  });
  await asAdmin(desk, 'PATCH', `/flows/${flow.id}`, { operation: operation.id });
  return flow.id;
}

/** `POST /groundwork/v1/imports/:collection` as multipart: the options as fields, then the file. */
export async function importFile(
  token: string,
  collection: string,
  content: string | Buffer,
  options: Record<string, string> = {},
  headers: Record<string, string> = {},
  name = 'import.csv',
  baseUrl = harness().baseUrl,
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(options)) form.append(key, value);
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return getJson(`${baseUrl}/groundwork/v1/imports/${collection}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: form,
  });
}

/** A CSV in Files, as the token's user (the input of the "Import file" Flow operation); returns its id. */
export async function uploadCsv(token: string, csv: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'tickets.csv');
  const uploaded = await getJson(`${harness().baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (uploaded.status !== 200) throw new Error(`upload answered ${uploaded.status}: ${uploaded.text}`);
  return (uploaded.body.data as { id: string }).id;
}

/**
 * The states of the pg-boss jobs of one import or export run, once none is still "active". A run's row is marked done
 * in the handler's transaction, and pg-boss completes the job only after the handler returns, so right after the run
 * reads "succeeded" its job can still read "active" for a moment (a CI run saw it).
 */
export async function settledJobStates(sql: Knex, queue: string, run: string, timeoutMs = 30_000): Promise<string[]> {
  const states = async () =>
    (await sql('pgboss.job').where({ name: queue }).whereRaw("data->>'run' = ?", [run])).map(
      (row) => row.state as string,
    );
  // On a timeout the states as they are, so the caller's assertion shows them.
  return until(
    `the jobs of run ${run} settled`,
    async () => {
      const now = await states();
      return now.includes('active') ? null : now;
    },
    timeoutMs,
  ).catch(states);
}

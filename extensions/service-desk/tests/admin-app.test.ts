/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The admin app as staff use it (issue 14 item 8), in a real headless Chromium (Debian's package, driven by
// puppeteer-core) against the worker's main instance: a manager (with the TOTP its policy requires), an agent and a
// content editor log in through the login page, find the service desk's collections in their folders under readable
// names, open the lists and an item they work on (an agent searches the list: the ranked index answers the app's
// search box), and (staff with the app) the Jobs module; the app logs no error
// in the browser console on the way. Screenshots land in .test-runs/admin-app/ (docs/screenshots/ holds a set taken
// this way). Without /usr/bin/chromium (or CHROMIUM_PATH) the file is skipped with a warning.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authenticator } from 'otplib';
import type { ElementHandle } from 'puppeteer-core';
import { ROLE } from '../spec/service-desk/access.js';
import { madeUpWord, POLICY_MINUTES } from './fixtures.js';
import { testRunsDir } from '../../../scripts/lib/instance.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { adminToken, enableTotp, getJson, until } from '../../../tests/integration/http.js';
import {
  adminAppSession,
  appErrors,
  dismissOwnerDialog,
  haveChromium,
  launchChromium,
} from '../../../tests/integration/browser.js';

const HAVE_CHROMIUM = haveChromium('admin-app.test.ts');
const SCREENSHOTS = path.join(testRunsDir, 'admin-app');

type Person = { email: string; password: string; id: string; otpSecret?: string };
const run = randomBytes(3).toString('hex');
/** A made-up word of this run: only its tickets have it. */
const runWord = madeUpWord('gw');
const people = {} as Record<'manager' | 'agent' | 'editor', Person>;
let admin: string;
let ticketId: string;
let articleId: string;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let logIn: ReturnType<typeof adminAppSession>['logIn'];
let visit: ReturnType<typeof adminAppSession>['visit'];
let shot: ReturnType<typeof adminAppSession>['shot'];

async function asAdmin<T>(method: string, route: string, body?: unknown): Promise<T> {
  const response = await getJson(`${harness().baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
  return (response.body as { data: T }).data;
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  admin = await adminToken();
  const policy = await asAdmin<{ id: number }>('POST', '/items/sla_policies', {
    name: `Policy ${run}`,
    ...POLICY_MINUTES,
  });
  const org = await asAdmin<{ id: string }>('POST', '/items/organizations', {
    name: `Admin app ${run}`,
    domain: `app-${run}.example.com`,
    sla_policy: policy.id,
  });
  for (const [key, role] of [
    ['manager', ROLE.manager],
    ['agent', ROLE.agent],
    ['editor', ROLE.contentEditor],
  ] as const) {
    const email = `${key}-${run}@app-${run}.example.com`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const user = await asAdmin<{ id: string }>('POST', '/users', { email, password, role });
    people[key] = { email, password, id: user.id };
  }
  const customer = await asAdmin<{ id: string }>('POST', '/users', {
    email: `customer-${run}@app-${run}.example.com`,
    password: `pw-${randomBytes(8).toString('hex')}`,
    role: ROLE.customer,
    organization: org.id,
  });
  const ticket = await asAdmin<{ id: string }>('POST', '/items/tickets', {
    subject: `Printer on fire ${run}`,
    description: `It smells of toner, and the feeder keeps jamming (${runWord}).`,
    priority: 'high',
    organization: org.id,
    requester: customer.id,
    assignee: people.agent.id,
  });
  ticketId = ticket.id;
  // The same run word without the jam: the app's search below must find the printer and not this one.
  await asAdmin('POST', '/items/tickets', {
    subject: `Stapler stuck ${run}`,
    description: `The stapler is stuck (${runWord}).`,
    priority: 'low',
    organization: org.id,
    requester: customer.id,
    assignee: people.agent.id,
  });
  // First in the app's list (sorted by primary key): other suites' articles share the main database, and the list
  // shows one page.
  articleId = `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
  await asAdmin('POST', '/items/kb_articles', {
    id: articleId,
    title: `Resetting the printer ${run}`,
    slug: `resetting-the-printer-${run}`,
    status: 'draft',
  });

  // The manager's policy requires TOTP: set it up as the manager would (the app asks for it at the first login).
  people.manager.otpSecret = await enableTotp(harness().baseUrl, people.manager);

  mkdirSync(SCREENSHOTS, { recursive: true });
  chromium = await launchChromium();
  ({ logIn, visit, shot } = adminAppSession(chromium.browser, harness().baseUrl, SCREENSHOTS, (secret) =>
    authenticator.generate(secret),
  ));
}, 180_000);

afterAll(async () => {
  await chromium?.close();
});

/** The targets of the moves the transitions route offers a person on an item, sorted. */
async function movesOf(person: Person, item: string): Promise<string[]> {
  const session = await getJson(`${harness().baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: person.email, password: person.password }),
  });
  const token = (session.body.data as { access_token: string }).access_token;
  const response = await getJson(`${harness().baseUrl}/groundwork/v1/workflows/tickets/${item}/transitions`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (response.body.data as { transitions: Array<{ to: string }> }).transitions.map((move) => move.to).sort();
}

(HAVE_CHROMIUM ? describe : describe.skip)('the admin app, as staff use it', () => {
  it('an agent finds the service desk in its folder, opens the ticket list, a ticket and the Jobs module', async () => {
    const { page, errors } = await logIn(people.agent);
    const content = await visit(page, '/content', 'Service desk');
    expect(content).toContain('Knowledge base');
    // Names people read, not Directus's title-cased table names.
    for (const raw of ['Kb Articles', 'Sla Policies', 'Ticket Messages']) expect(content).not.toContain(raw);

    const list = await visit(page, '/content/tickets', `Printer on fire ${run}`);
    expect(list).toContain('Tickets');
    await shot(page, 'agent-tickets');
    // The list's search box goes through the ranked index (decision 0063): "jammed" finds "jamming" by its stem, and
    // every word must match. Directus's own search (LIKE '%jammed <word>%') would list nothing.
    await page.click('.search-input');
    await page.type('.search-input input', `jammed ${runWord}`);
    await page.waitForFunction(
      (found, other) => document.body.innerText.includes(found) && !document.body.innerText.includes(other),
      { timeout: 60_000 },
      `Printer on fire ${run}`,
      `Stapler stuck ${run}`,
    );
    await shot(page, 'agent-tickets-search');
    await visit(page, `/content/tickets/${ticketId}`, `Printer on fire ${run}`);
    // The status field offers exactly the moves the transitions route gives this agent, and the history beside them.
    await page.waitForSelector('[data-workflow-state]', { timeout: 60_000 });
    await page.waitForSelector('[data-workflow-to]', { timeout: 60_000 });
    const offered = await page.$$eval('[data-workflow-to]', (buttons) =>
      buttons.map((button) => button.getAttribute('data-workflow-to')).sort(),
    );
    const allowed = await movesOf(people.agent, ticketId);
    expect(offered).toEqual(allowed);
    expect(offered.length).toBeGreaterThan(0);
    expect(await page.$eval('[data-workflow-state]', (state) => state.getAttribute('data-workflow-state'))).toBe('new');
    await page.waitForSelector('[data-workflow-history]', { timeout: 60_000 });
    await shot(page, 'agent-ticket');

    const jobs = await visit(page, '/groundwork-jobs', 'groundwork.events');
    expect(jobs).not.toContain('__pgboss__');
    await shot(page, 'agent-jobs');
    expect(appErrors(errors)).toEqual([]);
  }, 240_000);

  it('an agent dry-runs a ticket import in the Import / Export module and reads the row report', async () => {
    const { page, errors } = await logIn(people.agent);
    await visit(page, '/groundwork-transfer', 'Import / Export');
    await page.waitForFunction(() => document.querySelectorAll('[data-test=collection] option').length > 1, {
      timeout: 60_000,
    });
    await page.select('[data-test=collection]', 'tickets');
    const file = path.join(SCREENSHOTS, `import-${run}.csv`);
    const customer = `customer-${run}@app-${run}.example.com`;
    writeFileSync(
      file,
      'subject,priority,organization,requester\n' +
        `Imported in the browser ${run},normal,app-${run}.example.com,${customer}\n` +
        `Imported nowhere ${run},normal,nowhere-${run}.example.com,${customer}\n`,
    );
    await ((await page.$('[data-test=file]')) as ElementHandle<HTMLInputElement>).uploadFile(file);
    await page.type('[data-test=relations]', '{"organization":"domain","requester":"email"}');
    await page.click('[data-test=dry-run]');
    await page.waitForSelector('[data-test=report]', { timeout: 60_000 });
    const report = await page.$eval('[data-test=report]', (element) => (element as HTMLElement).innerText);
    expect(report).toContain('Dry run: 2 rows');
    // The second row names an organization that does not exist: a row error on that field.
    expect(report).toMatch(/\b2\s+organization\b/);
    await shot(page, 'agent-import-dry-run');
    // A dry run writes nothing.
    const written = await asAdmin<unknown[]>(
      'GET',
      `/items/tickets?filter[subject][_contains]=${encodeURIComponent(`Imported in the browser ${run}`)}`,
    );
    expect(written).toEqual([]);
    expect(appErrors(errors)).toEqual([]);
  }, 240_000);

  it('a content editor opens the knowledge base and a draft article', async () => {
    const { page, errors } = await logIn(people.editor);
    const content = await visit(page, '/content', 'Knowledge base');
    expect(content).not.toContain('Kb Articles');
    await visit(page, '/content/kb_articles', `Resetting the printer ${run}`);
    await shot(page, 'editor-articles');
    await visit(page, `/content/kb_articles/${articleId}`, `Resetting the printer ${run}`);
    await shot(page, 'editor-article');
    expect(appErrors(errors)).toEqual([]);
  }, 240_000);

  it('an admin opens the Webhooks module, sees a delivery of a test event, and replays it', async () => {
    // The main instance keeps Directus's default deny list: a delivery to this machine fails at once, naming it.
    const subscription = await asAdmin<{ id: string }>('POST', '/groundwork/v1/webhooks/subscriptions', {
      url: `http://127.0.0.1:9/admin-app-${run}`,
      events: ['webhook.*'],
      description: `Admin app ${run}`,
    });
    // Administrators must set up TOTP (decision 0014): an admin of this run's own, with its TOTP enabled.
    const { role } = await asAdmin<{ role: string }>('GET', '/users/me?fields=role');
    const person: Person = {
      email: `admin-${run}@app-${run}.example.com`,
      password: `pw-${randomBytes(8).toString('hex')}`,
      id: '',
    };
    person.id = (
      await asAdmin<{ id: string }>('POST', '/users', { email: person.email, password: person.password, role })
    ).id;
    person.otpSecret = await enableTotp(harness().baseUrl, person);
    const { page, errors } = await logIn(person);
    await visit(page, '/groundwork-webhooks', `Admin app ${run}`);
    await dismissOwnerDialog(page);
    const row = `[data-subscription="${subscription.id}"]`;
    await page.click(`${row} [data-test=show]`);
    await page.click(`${row} [data-test=send-test]`);
    // Whatever the module says (queued, or the route's error) is asserted, so a failure names it.
    await page.waitForSelector('[data-test=message]', { timeout: 60_000 });
    expect(await page.$eval('[data-test=message]', (element) => (element as HTMLElement).innerText)).toContain(
      'Test event queued',
    );
    await shot(page, 'admin-webhooks-queued');
    // The log shows the delivery once the worker settled it (the page reloads the log on "Deliveries").
    const settled = await until(
      'the test delivery settled',
      async () => {
        const rows = await asAdmin<Array<{ id: string; status: string; last_attempt_at: string }>>(
          'GET',
          `/items/webhook_deliveries?filter[subscription][_eq]=${subscription.id}&fields=id,status,last_attempt_at`,
        );
        return rows.find((delivery) => delivery.status === 'failed') ?? null;
      },
      120_000,
    );
    await page.click(`${row} [data-test=show]`);
    const delivery = `[data-delivery="${settled.id}"]`;
    await page.waitForSelector(`${delivery}[data-status=failed]`, { timeout: 60_000 });
    const logged = await page.$eval(delivery, (element) => (element as HTMLElement).innerText);
    expect(logged).toContain('webhook.test');
    expect(logged).toMatch(/deny/i);
    await shot(page, 'admin-webhooks');
    await page.click(`${delivery} [data-test=replay]`);
    await page.waitForFunction(
      () => document.querySelector('[data-test=message]')?.textContent?.includes('queued again'),
      { timeout: 60_000 },
    );
    // The replay reopened the delivery with fresh attempts; the worker tries it again (and the deny list fails it).
    await until('the replayed attempt', async () => {
      const again = await asAdmin<{ status: string; attempts: number; last_attempt_at: string }>(
        'GET',
        `/items/webhook_deliveries/${settled.id}?fields=status,attempts,last_attempt_at`,
      );
      return again.status === 'failed' && again.last_attempt_at !== settled.last_attempt_at && again;
    });
    expect(appErrors(errors)).toEqual([]);

    // An agent has no Webhooks entry in the module bar: the module registers for admins only.
    const agent = await logIn(people.agent);
    await visit(agent.page, '/content', 'Service desk');
    expect(await agent.page.$('a[href$="/groundwork-webhooks"]')).toBeNull();
  }, 240_000);

  it('a manager logs in with TOTP, sees the service desk and the platform folders, and opens a ticket', async () => {
    const { page, errors } = await logIn(people.manager);
    const content = await visit(page, '/content', 'Service desk');
    expect(content).toContain('Knowledge base');
    expect(content).toContain('Platform');
    await shot(page, 'manager-content');
    await visit(page, `/content/tickets/${ticketId}`, `Printer on fire ${run}`);
    await shot(page, 'manager-ticket');
    expect(appErrors(errors)).toEqual([]);
  }, 240_000);
});

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The "Ticket assist" panel on the ticket form (issue 13, decisions 0050 and 0052), in a real headless Chromium
// against an instance configured with the local fake OpenAI-compatible provider (tests/integration/harness/fake-llm.ts,
// as llm-assist.test.ts does): an agent opens a ticket, asks for a suggested reply and reads the streamed text; the
// app logs no console error. Who gets the field at all is Directus's field list: agents and managers (they read
// tickets' `*`), not customers, integrations or editors. On the worker's main instance, which has no LLM configured,
// the panel says so instead of failing. Screenshots land in .test-runs/admin-app-assist/ (docs/screenshots/ holds
// agent-ticket-assist.png taken this way). Without Chromium the file is skipped with a warning.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'puppeteer-core';
import { startInstance, testRunsDir, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { adminAppSession, appErrors, haveChromium, launchChromium } from '../../../tests/integration/browser.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { useFakeLlm } from '../../../tests/integration/harness/fake-llm.js';
import { getJson } from '../../../tests/integration/http.js';
import { ROLE } from '../spec/service-desk/access.js';
import { asAdmin, createDesk, type Desk } from './fixtures.js';

const HAVE_CHROMIUM = haveChromium('admin-app-assist.test.ts');
const SCREENSHOTS = path.join(testRunsDir, 'admin-app-assist');
// The fake listens on 127.0.0.1, which the project's deny list refuses: the project's list without loopback.
const LOOPBACK_ALLOWED_DENY_LIST =
  '0.0.0.0/8,::,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,fc00::/7,fe80::/10';
const REPLY = 'Suggested by primary: please try restarting the device.';

const fake = useFakeLlm();
let instance: DirectusInstance | undefined;
let desk: Desk;
let ticketId: string;
const passwords = {} as Record<'agent' | 'editor', string>;
const marker = randomBytes(3).toString('hex');
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

/** The names of the ticket fields a user gets from Directus's field list (what the app builds the form from). */
async function ticketFieldsOf(baseUrl: string, token: string): Promise<string[]> {
  const response = await getJson(`${baseUrl}/fields/tickets`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 403) return [];
  expect(response.status).toBe(200);
  return (response.body.data as Array<{ field: string }>).map((field) => field.field);
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await getJson(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`);
  return (response.body.data as { access_token: string }).access_token;
}

/** The panel's text once `selector` shows in it. */
async function panelText(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector, { timeout: 60_000 });
  return page.$eval('.groundwork-ticket-assist', (panel) => (panel as HTMLElement).innerText);
}

async function clickAssist(page: Page, assist: string): Promise<void> {
  const button = await page.waitForSelector(`[data-assist="${assist}"] button, button[data-assist="${assist}"]`, {
    timeout: 60_000,
  });
  await button!.scrollIntoView();
  await button!.click();
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  // The instance boots (seconds, a minute on a loaded machine) while the desk is made through the main one: both
  // work on the main database, and the desk's rows are data, which the instance reads when asked, not at boot.
  const starting = startInstance({
    db: harness().db,
    name: 'admin-app-assist',
    env: {
      IMPORT_IP_DENY_LIST: LOOPBACK_ALLOWED_DENY_LIST,
      GROUNDWORK_LLM_BASE_URL: fake.baseUrl(),
      GROUNDWORK_LLM_API_KEY: 'fake-provider-key-for-tests',
      GROUNDWORK_LLM_MODELS: 'primary',
    },
  }).then((started) => (instance = started));
  try {
    await makeDesk();
  } finally {
    // Also when the desk failed, so that afterAll stops the instance.
    await starting;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  chromium = await launchChromium();
}, 300_000);

/** The desk, a ticket with a message, and passwords the browser types. */
async function makeDesk(): Promise<void> {
  desk = await createDesk('assist-app');
  ticketId = randomUUID();
  await desk.db('tickets').insert({
    id: ticketId,
    subject: `Printer toner smear ${marker}`,
    description: 'The prints come out with a grey smear down the left side.',
    status: 'open',
    priority: 'normal',
    organization: desk.org.id,
    requester: desk.users.customer.id,
    assignee: desk.users.agent.id,
  });
  await desk.db('ticket_messages').insert({
    id: randomUUID(),
    ticket: ticketId,
    body: 'It started after the last toner change.',
    internal: false,
  });
  // Passwords the browser types (the desk's users have random ones nobody kept); the database is shared.
  for (const key of ['agent', 'editor'] as const) {
    passwords[key] = `pw-${randomBytes(8).toString('hex')}`;
    await asAdmin(desk, 'PATCH', `/users/${desk.users[key].id}`, { password: passwords[key] });
  }
}

afterAll(async () => {
  await chromium?.close();
  await instance?.stop();
  await desk?.db.destroy();
});

(HAVE_CHROMIUM ? describe : describe.skip)('the Ticket assist panel', () => {
  it('is in the ticket field list of agents and managers only, not of customers, integrations or editors', async () => {
    const integration = { email: `integration-${desk.run}@${desk.run}.example.com`, password: `pw-${marker}-api` };
    await asAdmin(desk, 'POST', '/users', { ...integration, role: ROLE.integration });
    const integrationToken = await login(harness().baseUrl, integration.email, integration.password);
    const base = harness().baseUrl;
    for (const key of ['agent', 'manager'] as const)
      expect(await ticketFieldsOf(base, desk.users[key].token)).toContain('assist');
    for (const token of [desk.users.customer.token, desk.users.editor.token, integrationToken]) {
      const fields = await ticketFieldsOf(base, token);
      expect(fields).not.toContain('assist');
    }
  });

  it('an agent opens a ticket, asks for a suggested reply and reads the streamed answer', async () => {
    const { logIn, visit, shot } = adminAppSession(chromium!.browser, instance!.baseUrl, SCREENSHOTS);
    const { page, errors } = await logIn({ email: desk.users.agent.email, password: passwords.agent });
    await visit(page, `/content/tickets/${ticketId}`, `Printer toner smear ${marker}`);
    const before = fake.requests.length;
    await clickAssist(page, 'reply');
    await page.waitForSelector('[data-assist-output]', { timeout: 60_000 });
    await page.waitForFunction(
      (reply) => document.querySelector('[data-assist-output]')?.textContent === reply,
      { timeout: 60_000 },
      REPLY,
    );
    // The route asked the (fake) provider once, with the ticket the agent reads.
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)!.prompt).toContain(`Printer toner smear ${marker}`);
    await page.waitForFunction(
      () => document.querySelector('.groundwork-ticket-assist')?.textContent?.includes('check it before using it'),
      { timeout: 60_000 },
    );
    const panel = await panelText(page, '[data-assist-output]');
    expect(panel).toContain('Model: primary');
    await (await page.$('.groundwork-ticket-assist'))!.scrollIntoView();
    await shot(page, 'agent-ticket-assist');
    expect(appErrors(errors)).toEqual([]);
  }, 240_000);

  it('an editor does not get the panel: the ticket is not theirs to read', async () => {
    const { logIn, go } = adminAppSession(chromium!.browser, instance!.baseUrl, SCREENSHOTS);
    const { page } = await logIn({ email: desk.users.editor.email, password: passwords.editor });
    await go(page, `/content/tickets/${ticketId}`);
    // The app settles on its "no access" or "not found" page; the panel never renders.
    await page.waitForFunction(() => !document.querySelector('.v-progress-circular'), { timeout: 60_000 });
    expect(await page.$('.groundwork-ticket-assist')).toBeNull();
    expect(await page.$('[data-assist]')).toBeNull();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(`Printer toner smear ${marker}`);
  }, 240_000);

  it('on an instance without an LLM, the panel says plainly that assist is not set up', async () => {
    const { logIn, visit, shot } = adminAppSession(chromium!.browser, harness().baseUrl, SCREENSHOTS);
    const { page, errors } = await logIn({ email: desk.users.agent.email, password: passwords.agent });
    await visit(page, `/content/tickets/${ticketId}`, `Printer toner smear ${marker}`);
    await clickAssist(page, 'reply');
    const text = await panelText(page, '[data-assist-off]');
    expect(text).toContain('LLM assist is not set up on this server');
    expect(await page.$('[data-assist]')).toBeNull();
    await shot(page, 'agent-ticket-assist-off');
    // The browser itself logs the refused request (404 is how the route says the feature is off); nothing else.
    expect(appErrors(errors).filter((error) => !/status of 404.*\/groundwork\/v1\/assist\//.test(error))).toEqual([]);
  }, 240_000);
});

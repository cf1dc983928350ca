// PII never reaches the logs (BE-901): a Directus of its own at LOG_LEVEL=debug with raw JSON logs is driven through
// logins, a failed login, a password reset, a registration and its verification link, a ticket, a message,
// `?access_token=`, a static token and a filter on an email; then its log file is searched for every secret, address
// and body it was given (zero hits), and for the request lines themselves (so the search is not vacuous).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DirectusInstance } from '../../../scripts/lib/instance.js';
import { dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { POLICY, ROLE } from '../spec/service-desk/access.js';
import { startMigratedInstance } from '../../../scripts/snapshots/instance.js';
import { harness, migratedTestDatabase } from '../../../tests/integration/harness/context.js';
import { startSmtpCapture, type SmtpCapture } from '../../../scripts/lib/smtp-capture.js';
import { getJson, mintApiKey, until } from '../../../tests/integration/http.js';

const FRONTEND_RESET = 'http://localhost:5173/reset-password';
const unique = (label: string) => `${label}${randomBytes(6).toString('hex')}`;
const DOMAIN = `${unique('pii')}.example.com`;

let smtp: SmtpCapture;
let db: PgConnection;
let instance: DirectusInstance;
/** Every value that must not appear in the log, by what it is. */
const secrets: Record<string, string> = {};

async function call(method: string, route: string, options: { token?: string; body?: unknown } = {}) {
  return getJson(`${instance.baseUrl}${route}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

function expectStatus(label: string, response: { status: number; text: string }, status: number) {
  expect([label, response.status, response.status === status ? '' : response.text]).toEqual([label, status, '']);
}

async function tokensOf(email: string, password: string) {
  const response = await call('POST', '/auth/login', { body: { email, password } });
  expectStatus(`login ${email}`, response, 200);
  return response.body.data as { access_token: string; refresh_token: string };
}

/** The HTTP log lines this instance's process wrote (raw pino JSON; the log file may hold earlier runs' lines too). */
function httpLines(log: string) {
  return log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) =>
        JSON.parse(line) as { pid?: number; req?: { method: string; url: string }; res?: { statusCode: number } },
    )
    .filter((line) => line.pid === instance.process.pid && line.req && line.res);
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  db = await migratedTestDatabase('privacy_logs');
  instance = await startMigratedInstance({
    db,
    name: 'privacy-logs',
    env: { ...smtp.env, PASSWORD_RESET_URL_ALLOW_LIST: FRONTEND_RESET, LOG_LEVEL: 'debug', LOG_STYLE: 'raw' },
  });
  const admin = (await tokensOf(harness().admin.email, harness().admin.password)).access_token;
  const org = await call('POST', '/items/organizations', { token: admin, body: { name: 'PII', domain: DOMAIN } });
  expectStatus('organization', org, 200);

  secrets.customerEmail = `${unique('carol')}@${DOMAIN}`;
  secrets.customerPassword = unique('pw-customer-');
  const customer = await call('POST', '/users', {
    token: admin,
    body: {
      email: secrets.customerEmail,
      password: secrets.customerPassword,
      role: ROLE.customer,
      organization: (org.body.data as { id: string }).id,
      status: 'active',
    },
  });
  expectStatus('customer', customer, 200);

  // A login with a known password, and its tokens.
  const session = await tokensOf(secrets.customerEmail, secrets.customerPassword);
  secrets.accessToken = session.access_token;
  secrets.refreshToken = session.refresh_token;
  const refreshed = await call('POST', '/auth/refresh', {
    body: { refresh_token: session.refresh_token, mode: 'json' },
  });
  expectStatus('refresh', refreshed, 200);
  const customerToken = (refreshed.body.data as { access_token: string }).access_token;
  secrets.refreshedToken = customerToken;

  // A failed login.
  secrets.wrongPassword = unique('pw-wrong-');
  const failed = await call('POST', '/auth/login', {
    body: { email: secrets.customerEmail, password: secrets.wrongPassword },
  });
  expectStatus('failed login', failed, 401);

  // Password reset requests: for the customer, and for an address nobody has.
  secrets.unknownEmail = `${unique('nobody')}@${DOMAIN}`;
  for (const email of [secrets.customerEmail, secrets.unknownEmail]) {
    const reset = await call('POST', '/auth/password/request', { body: { email, reset_url: FRONTEND_RESET } });
    expectStatus(`reset ${email}`, reset, 204);
  }
  const resetMail = await smtp.waitFor((mail) => mail.to.includes(secrets.customerEmail!));
  const resetLink = resetMail.links.find((link) => link.includes('token='));
  secrets.resetToken = new URL(resetLink!).searchParams.get('token')!;

  // A registration, and its verification link followed (a GET with the token in the query string).
  secrets.registrantEmail = `${unique('dave')}@${DOMAIN}`;
  secrets.registrantPassword = unique('pw-registrant-');
  const registered = await call('POST', '/users/register', {
    body: { email: secrets.registrantEmail, password: secrets.registrantPassword, first_name: unique('Dave') },
  });
  expectStatus('register', registered, 204);
  const verifyMail = await smtp.waitFor((mail) => mail.to.includes(secrets.registrantEmail!));
  const verifyLink = verifyMail.links.find((link) => link.includes('/users/register/verify-email'))!;
  secrets.verifyToken = new URL(verifyLink).searchParams.get('token')!;
  // The verification ends on the set-password page (decision 0013): its reset token must stay out of the log too.
  const verified = await fetch(verifyLink, { redirect: 'manual' });
  expect(verified.status).toBe(303);
  secrets.setPasswordToken = new URL(verified.headers.get('location')!).searchParams.get('token')!;

  // A ticket and a message with bodies nobody else wrote.
  secrets.ticketDescription = unique('ticket-description-');
  const ticket = await call('POST', '/items/tickets', {
    token: customerToken,
    body: {
      subject: 'Printer',
      description: secrets.ticketDescription,
      organization: (org.body.data as { id: string }).id,
    },
  });
  expectStatus('ticket', ticket, 200);
  secrets.messageBody = unique('message-body-');
  const message = await call('POST', '/items/ticket_messages', {
    token: customerToken,
    body: { ticket: (ticket.body.data as { id: string }).id, body: secrets.messageBody },
  });
  expectStatus('message', message, 200);

  // The token in the query string still authenticates (the redaction must not change what Directus sees).
  const byQuery = await call('GET', `/users/me?fields=id&access_token=${encodeURIComponent(customerToken)}`);
  expectStatus('access_token in the query', byQuery, 200);

  // An integration's API key (decision 0020), in the header and in the query string.
  secrets.apiKey = (await mintApiKey(admin, POLICY.integration, {}, instance.baseUrl)).key;
  expectStatus('API key', await call('GET', '/users/me?fields=id', { token: secrets.apiKey }), 200);
  expectStatus('API key in the query', await call('GET', `/users/me?access_token=${secrets.apiKey}`), 200);

  // An email in a filter and in a search (staff looking a user up).
  const filtered = await call(
    'GET',
    `/users?fields=id&filter[email][_eq]=${encodeURIComponent(secrets.customerEmail)}&search=${encodeURIComponent(secrets.registrantEmail)}`,
    { token: admin },
  );
  expectStatus('filter on an email', filtered, 200);

  // pino writes synchronously to the pipe, and the capture copies it to the file in its own time: wait until the
  // last request's line is there (15 s at most; the checks below then say what is missing).
  const lastLine = '/users?fields=id&filter[email][_eq]=--redacted--&search=--redacted--';
  await until(
    'the last request logged',
    async () => readFileSync(instance.logFile, 'utf8').includes(lastLine),
    15_000,
  ).catch(() => undefined);
}, 240_000);

afterAll(async () => {
  await instance?.stop();
  if (db) await dropDatabase(harness().server, db.database);
  await smtp?.stop();
});

describe('the captured log', () => {
  it('holds none of the emails, passwords, tokens or bodies it was given', () => {
    const log = readFileSync(instance.logFile, 'utf8');
    expect(Object.keys(secrets)).toHaveLength(15);
    const found = Object.entries(secrets)
      .filter(([, value]) => log.toLowerCase().includes(value.toLowerCase()))
      .map(([what]) => what);
    expect(found).toEqual([]);
  });

  it('holds the request lines themselves, with route and status (the search above is not vacuous)', () => {
    const lines = httpLines(readFileSync(instance.logFile, 'utf8'));
    const seen = (method: string, path: string, status: number) =>
      lines.some(
        (line) =>
          line.req!.method === method && line.req!.url.split('?')[0] === path && line.res!.statusCode === status,
      );
    expect(seen('POST', '/auth/login', 200)).toBe(true);
    expect(seen('POST', '/auth/login', 401)).toBe(true);
    expect(seen('POST', '/auth/password/request', 204)).toBe(true);
    expect(seen('POST', '/users/register', 204)).toBe(true);
    expect(seen('GET', '/users/register/verify-email', 303)).toBe(true);
    expect(seen('POST', '/items/tickets', 200)).toBe(true);
    expect(seen('POST', '/items/ticket_messages', 200)).toBe(true);
    // The query string's shape stays readable: names and allow-listed values, every other value redacted.
    const urls = lines.map((line) => line.req!.url);
    expect(urls).toContain('/users/me?fields=id&access_token=--redacted--');
    expect(urls).toContain('/users?fields=id&filter[email][_eq]=--redacted--&search=--redacted--');
  });
});

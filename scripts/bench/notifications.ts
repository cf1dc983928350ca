// `npm run bench:notifications`: what notifications cost a write. An agent's public reply
// (POST /items/ticket_messages) with the service desk's event trigger on (event row + dispatch job in the write's
// transaction; fan-out, an outbox row and an email delivered to an SMTP capture server by the in-process worker)
// against the same trigger disabled, in one run on one Directus, alternating off/on so drift hits both.
// Then an SMTP outage (issue 14 item 6, "SMTP is down for minutes: every email goes out afterwards, exactly once"):
// the capture server stops, agents reply, the server stays down for --outage seconds while the outbox retries with
// the production settings (GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS 30, doubling, 8 retries; the smoke run uses
// 1 s), then comes back; the time until every waiting email has arrived, the attempts made, and exactly-once.
// Options: --duration S (default 10), --connections N (default 10), --rounds N (default 2), --outage S (default 180),
// --outage-replies N (default 20), --smoke (one round of 1 s at 2 connections, a 3 s outage, for CI).
// Database: BENCH_DATABASE_URL, else the embedded PostgreSQL (a throwaway database).
import knexFactory from 'knex';
import { startSmtpCapture } from '../lib/smtp-capture.js';
import { ROLE } from '../../extensions/service-desk/spec/service-desk/access.js';
import { step } from '../lib/log.js';
import { TEST_ADMIN } from '../lib/instance.js';
import { startMigratedInstance } from '../snapshots/instance.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { readBenchOptions, SMOKE_NOTE, wholeNumber } from './lib/options.js';
import { formatTable } from './lib/stats.js';
import { benchServer } from './lib/server.js';

const SCOPE = 'bench';
const { smoke, values } = readBenchOptions({
  duration: { full: '10', smoke: '1' },
  connections: { full: '10', smoke: '2' },
  rounds: { full: '2', smoke: '1' },
  outage: { full: '180', smoke: '3' },
  'outage-replies': { full: '20', smoke: '3' },
});
const outageSeconds = wholeNumber('outage', values.outage);
const outageReplies = wholeNumber('outage-replies', values['outage-replies']);
const durationSeconds = wholeNumber('duration', values.duration);
const connections = wholeNumber('connections', values.connections);
const rounds = wholeNumber('rounds', values.rounds);
const warmUpSeconds = Math.min(2, durationSeconds);

const bench = await benchServer(SCOPE);
const capture = await startSmtpCapture();
const db = await bench.database('bench_notifications');
step(SCOPE, `booting a migrated Directus on ${db.database} (rate and pressure limiters off, LOG_LEVEL=warn)`);
const instance = await startMigratedInstance({
  db,
  name: 'bench-notifications',
  env: {
    ...capture.env,
    LOG_LEVEL: 'warn',
    PRESSURE_LIMITER_ENABLED: 'false',
    // The outage phase measures the production retry schedule; the smoke run only proves the phase works.
    ...(smoke ? { GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS: '1' } : {}),
  },
});
const sql = knexFactory({ client: 'pg', connection: { ...db }, pool: { min: 0, max: 1 } });

async function call(token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${instance.baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return (JSON.parse(text) as { data: Record<string, string> }).data;
}
async function login(email: string, password: string): Promise<string> {
  const response = await fetch(`${instance.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return ((await response.json()) as { data: { access_token: string } }).data.access_token;
}

/** Waits until every event is dispatched and no notification is pending or being sent. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const [events] = await sql('groundwork.domain_event').whereNull('dispatched_at').count({ n: '*' });
    const [open] = await sql('notification_outbox').whereIn('status', ['pending', 'sending']).count({ n: '*' });
    if (Number(events!.n) === 0 && Number(open!.n) === 0) return;
    if (Date.now() > deadline) throw new Error('notifications did not settle within 600 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const results: Array<LoadResult & { notifications: string }> = [];
let mails = 0;
let sent = 0;
let unique = 0;
let drainSeconds = 0;
const outage = { replies: 0, attemptsDuringOutage: 0, maxAttempts: 0, failed: 0, deliveredSeconds: 0, received: 0 };
try {
  const admin = await login(TEST_ADMIN.email, TEST_ADMIN.password);
  const password = 'bench-password-only';
  const org = await call(admin, 'POST', '/items/organizations', { name: 'Bench', domain: 'bench.example.com' });
  const customer = await call(admin, 'POST', '/users', {
    email: 'requester@bench.example.com',
    password,
    role: ROLE.customer,
    organization: org.id,
  });
  await call(admin, 'POST', '/users', { email: 'agent@desk.example.com', password, role: ROLE.agent });
  const agent = await login('agent@desk.example.com', password);
  const ticket = await call(admin, 'POST', '/items/tickets', {
    subject: 'Bench',
    organization: org.id,
    requester: customer.id,
  });
  const body = JSON.stringify({ ticket: ticket.id, body: 'A public reply from the benchmark.', internal: false });
  const url = `${instance.baseUrl}/items/ticket_messages`;
  const headers = { authorization: `Bearer ${agent}`, 'content-type': 'application/json' };

  for (let round = 1; round <= rounds; round++) {
    for (const on of [false, true]) {
      const label = on ? 'notifications on' : 'notifications off';
      await sql.raw(`alter table ticket_messages ${on ? 'enable' : 'disable'} trigger ticket_messages_publish_created`);
      step(SCOPE, `${label}, round ${round}: warm-up ${warmUpSeconds} s`);
      await runLoad({ label, url, connections, durationSeconds: warmUpSeconds, method: 'POST', body, headers });
      step(SCOPE, `${label}, round ${round}: ${durationSeconds} s at ${connections} connections`);
      const result = await runLoad({ label, url, connections, durationSeconds, method: 'POST', body, headers });
      results.push({ ...result, notifications: on ? 'on' : 'off' });
      step(SCOPE, `${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`);
    }
  }
  // Every reply written with the trigger on must end as exactly one email: wait until every event is dispatched
  // and no notification is pending, then compare sent rows with what arrived (and Message-IDs are unique).
  const loadEnded = Date.now();
  await settle();
  drainSeconds = Math.round((Date.now() - loadEnded) / 100) / 10;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const [sentRows] = await sql('notification_outbox').where({ channel: 'email', status: 'sent' }).count({ n: '*' });
  sent = Number(sentRows!.n);
  mails = capture.messages.length;
  unique = new Set(capture.messages.map((mail) => mail.messageId)).size;
  step(SCOPE, `${sent} emails sent by the outbox, ${mails} at the capture server, ${unique} distinct Message-IDs`);

  // The outage: replies while SMTP is down; their emails wait in the outbox, retried on the queue's backoff. One
  // ticket per reply, each with its own requester: the reply rule's burst limit (10 an hour per recipient) would
  // otherwise hold most of them, which is another feature than the one measured here.
  const outageTickets: string[] = [];
  for (let n = 0; n < outageReplies; n++) {
    const requester = await call(admin, 'POST', '/users', {
      email: `outage-${n}@bench.example.com`,
      password,
      role: ROLE.customer,
      organization: org.id,
    });
    const outageTicket = await call(admin, 'POST', '/items/tickets', {
      subject: `Outage ${n}`,
      organization: org.id,
      requester: requester.id,
    });
    outageTickets.push(outageTicket.id!);
  }
  await settle(); // what the new tickets sent is not part of the outage
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = new Set(capture.messages.map((mail) => mail.messageId));
  step(SCOPE, `SMTP outage: the capture server stops; ${outageReplies} replies; down for ${outageSeconds} s`);
  await capture.stop();
  const downAt = Date.now();
  const downAtInDatabase = (await sql.raw('select now() as now')).rows[0].now as Date;

  for (const [n, outageTicket] of outageTickets.entries()) {
    await call(agent, 'POST', '/items/ticket_messages', {
      ticket: outageTicket,
      body: `Reply ${n} during the SMTP outage.`,
      internal: false,
    });
    outage.replies += 1;
  }
  // The earlier phases have settled (nothing pending), so the outage's emails are the ones created after it began.
  const outageRows = () =>
    sql('notification_outbox')
      .where({ channel: 'email' })
      .andWhere('date_created', '>=', downAtInDatabase)
      .select('status', 'attempts');
  for (let waited = 0; Date.now() - downAt < outageSeconds * 1000; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (waited % 30 === 29) {
      const rows = await outageRows();
      const attempts = rows.reduce((sum, row) => sum + Number(row.attempts), 0);
      step(
        SCOPE,
        `down ${Math.round((Date.now() - downAt) / 1000)} s: ${rows.length} emails waiting, ${attempts} attempts`,
      );
    }
  }
  const waiting = await outageRows();
  outage.attemptsDuringOutage = waiting.reduce((sum, row) => sum + Number(row.attempts), 0);
  outage.failed = waiting.filter((row) => row.status === 'failed').length;
  await capture.start();
  const backAt = Date.now();
  step(SCOPE, `SMTP back after ${Math.round((backAt - downAt) / 1000)} s; waiting for ${waiting.length} emails`);
  for (;;) {
    const rows = await outageRows();
    if (rows.length >= outageReplies && rows.every((row) => !['pending', 'sending'].includes(row.status))) break;
    if (Date.now() - backAt > 900_000) throw new Error('the outage backlog was not delivered within 900 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  outage.deliveredSeconds = Math.round((Date.now() - backAt) / 100) / 10;
  const settledRows = await outageRows();
  outage.failed = settledRows.filter((row) => row.status !== 'sent').length; // dead-lettered, held or skipped
  outage.maxAttempts = Math.max(...settledRows.map((row) => Number(row.attempts)));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const arrived = capture.messages.filter((mail) => !before.has(mail.messageId));
  outage.received = arrived.length;
  if (new Set(arrived.map((mail) => mail.messageId)).size !== arrived.length) outage.received = -1;
} finally {
  await sql.destroy();
  await instance.stop();
  await capture.stop();
  await bench.close();
}

console.log('');
console.log(
  formatTable(
    ['POST /items/ticket_messages', 'c', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors'],
    results.map((r) => [r.label, r.connections, r.requestsPerSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.non2xx, r.errors]),
  ),
);
const mean = (on: string, key: 'requestsPerSecond' | 'p50Ms') => {
  const picked = results.filter((r) => r.notifications === on);
  return picked.reduce((sum, r) => sum + r[key], 0) / picked.length;
};
const overhead = Math.round((1 - mean('on', 'requestsPerSecond') / mean('off', 'requestsPerSecond')) * 1000) / 10;
console.log(`throughput with notifications on: ${overhead}% below off (mean of ${rounds} rounds each)`);
console.log(`emails: ${sent} sent by the outbox, ${mails} received, ${unique} distinct Message-IDs`);
console.log(`the worker finished the backlog ${drainSeconds} s after the load ended`);
console.log(
  `SMTP outage of ${outageSeconds} s (retry delay ${smoke ? 1 : 30} s, doubling): ${outage.replies} replies, ` +
    `${outage.attemptsDuringOutage} failed attempts while down, every email at the server ${outage.deliveredSeconds} s ` +
    `after it came back; ${outage.received} received, ${outage.failed} not sent, at most ${outage.maxAttempts} attempts each`,
);
if (outage.received !== outage.replies || outage.failed > 0) {
  console.error('the outage lost, duplicated or dead-lettered emails');
  process.exit(1);
}
if (sent !== mails || unique !== mails) {
  console.error('emails lost or duplicated');
  process.exit(1);
}
if (results.some((r) => r.non2xx > 0 || r.errors > 0)) {
  console.error('some requests failed: the figures above are not valid');
  process.exit(1);
}
if (smoke) console.log(SMOKE_NOTE);

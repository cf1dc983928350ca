// Inbound email to tickets (issue 13, decisions 0049 and 0053), over HTTP on three Directus instances of the main test
// database: one verifying Standard Webhooks over raw MIME (unknown senders rejected; the provider's authserv-id
// configured), one verifying Mailgun's form (unknown senders become pending contacts; 3 emails an hour per sender),
// one taking Postmark's JSON behind basic auth. Emails are the real MIME fixtures of tests/fixtures/email/, each
// stamped with the provider's Authentication-Results as a receiving MTA does (a pass, unless a test says otherwise).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { startInstance, type DirectusInstance } from '../../../scripts/lib/instance.js';
import { startFakeClamd, type FakeClamd } from '../../../tests/integration/harness/fake-clamd.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { adminToken, expectErrorEnvelope, getJson } from '../../../tests/integration/http.js';
import { asAdmin, createDesk, type Desk } from './fixtures.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const MAILGUN_KEY = `key-${randomBytes(16).toString('hex')}`;
const POSTMARK_AUTH = `postmark:${randomBytes(16).toString('hex')}`;
/** The signed instance's provider: only Authentication-Results with this authserv-id count there. */
const AUTHSERV = 'mx.provider.test';
const SENDER_LIMIT = 3; // the Mailgun instance's per-sender limit an hour
const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../tests/fixtures/email');

let desk: Desk;
let clamd: FakeClamd;
let signed: DirectusInstance; // standard-webhooks, reject
let mailgun: DirectusInstance; // mailgun, pending_contact
let postmark: DirectusInstance; // postmark, reject

beforeAll(async () => {
  clamd = await startFakeClamd();
  const quarantine = mkdtempSync(path.join(os.tmpdir(), 'groundwork-inbound-quarantine-'));
  const common = {
    GROUNDWORK_CLAMD_HOST: '127.0.0.1',
    GROUNDWORK_CLAMD_PORT: String(clamd.port),
    GROUNDWORK_FILES_QUARANTINE_PATH: quarantine,
    GROUNDWORK_INBOUND_OWN_ADDRESSES: 'support@desk.example.com',
    GROUNDWORK_INBOUND_EMAIL_MAX_BYTES: String(64 * 1024),
    // Two more instances on a Postgres the other test files share: small pools.
    DB_POOL__MIN: '0',
    DB_POOL__MAX: '4',
  };
  [desk, signed, mailgun, postmark] = await Promise.all([
    createDesk('inbound'),
    startInstance({
      db: harness().db,
      name: 'inbound-signed',
      env: {
        ...common,
        GROUNDWORK_INBOUND_EMAIL_SCHEME: 'standard-webhooks',
        GROUNDWORK_INBOUND_EMAIL_SECRET: SECRET,
        GROUNDWORK_INBOUND_UNKNOWN_SENDERS: 'reject',
        GROUNDWORK_INBOUND_EMAIL_AUTHSERV_IDS: AUTHSERV,
      },
    }),
    startInstance({
      db: harness().db,
      name: 'inbound-mailgun',
      env: {
        ...common,
        GROUNDWORK_INBOUND_EMAIL_SCHEME: 'mailgun',
        GROUNDWORK_INBOUND_EMAIL_SECRET: MAILGUN_KEY,
        GROUNDWORK_INBOUND_UNKNOWN_SENDERS: 'pending_contact',
        GROUNDWORK_INBOUND_EMAIL_SENDER_LIMIT: String(SENDER_LIMIT),
      },
    }),
    startInstance({
      db: harness().db,
      name: 'inbound-postmark',
      env: {
        ...common,
        GROUNDWORK_INBOUND_EMAIL_SCHEME: 'postmark',
        GROUNDWORK_INBOUND_EMAIL_SECRET: POSTMARK_AUTH,
        GROUNDWORK_INBOUND_UNKNOWN_SENDERS: 'reject',
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([signed?.stop(), mailgun?.stop(), postmark?.stop(), clamd?.close()]);
  await desk?.db.destroy();
});

interface Headers {
  from: string;
  subject: string;
  messageId?: string;
  extra?: string[];
  name?: string;
  /** The provider's Authentication-Results (the topmost header); null for none. Default: DKIM, SPF and DMARC pass. */
  auth?: string | null;
}

const domainOfAddress = (address: string) => address.slice(address.lastIndexOf('@') + 1);
const passing = (from: string) =>
  `${AUTHSERV}; dkim=pass header.d=${domainOfAddress(from)} header.s=s1; spf=pass smtp.mailfrom=${from}; ` +
  `dmarc=pass (p=REJECT) header.from=${domainOfAddress(from)}`;

/** A fixture with this run's headers, as bytes (latin1 keeps every byte of an 8-bit body). */
function email(fixture: string, headers: Headers): { bytes: Buffer; messageId: string } {
  const messageId = headers.messageId ?? `<${randomUUID()}@mail.customer.example>`;
  const auth = headers.auth === undefined ? passing(headers.from) : headers.auth;
  const text = (auth === null ? '' : `Authentication-Results: ${auth}\r\n`)
    .concat(readFileSync(path.join(fixtures, fixture), 'latin1'))
    .replaceAll('{{FROM}}', headers.from)
    // An RFC 2047 encoded word, as mail clients write a non-ASCII name: the header stays ASCII.
    .replaceAll('{{FROM_NAME}}', headers.name ?? '=?UTF-8?Q?Jana_M=C3=BCller?=')
    .replaceAll('{{SUBJECT}}', headers.subject)
    .replaceAll('{{MESSAGE_ID}}', messageId)
    .replaceAll('{{EXTRA_HEADERS}}', (headers.extra ?? []).map((line) => `${line}\r\n`).join(''));
  return { bytes: Buffer.from(text, 'latin1'), messageId };
}

/** POST as a Standard Webhooks provider would: the raw MIME body, signed. */
function postSigned(bytes: Buffer, options: { secret?: string; at?: number; id?: string } = {}) {
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const at = options.at ?? Math.floor(Date.now() / 1000);
  // The package signs a string (as UTF-8): the fixtures are 7-bit, as transfer-encoded email is, so it is these bytes.
  const signature = new Webhook(options.secret ?? SECRET).sign(id, new Date(at * 1000), bytes.toString('utf8'));
  return getJson(`${signed.baseUrl}/groundwork/v1/inbound/email`, {
    method: 'POST',
    headers: {
      'content-type': 'message/rfc822',
      'webhook-id': id,
      'webhook-timestamp': String(at),
      'webhook-signature': signature,
    },
    body: new Uint8Array(bytes),
  });
}

/** POST as Mailgun's route forwarding to a URL ending in `mime` does: a form with body-mime and its signature. */
function postMailgun(bytes: Buffer, options: { key?: string; timestamp?: number } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  const signature = createHmac('sha256', options.key ?? MAILGUN_KEY)
    .update(timestamp + token)
    .digest('hex');
  const form = new FormData();
  form.append('timestamp', timestamp);
  form.append('token', token);
  form.append('signature', signature);
  form.append('body-mime', bytes.toString('utf8'));
  // Mailgun posts the raw MIME only to a forward URL ending in `mime`.
  return getJson(`${mailgun.baseUrl}/groundwork/v1/inbound/email/mime`, { method: 'POST', body: form });
}

const data = (response: { body: Record<string, unknown> }) => response.body['data'] as Record<string, string>;
const inboundRow = (messageId: string) => desk.db('inbound_emails').where({ message_id: messageId }).first();

describe('a customer’s email', () => {
  it('becomes a ticket of their organization, written as them, from quoted-printable UTF-8 without history', async () => {
    const subject = `Drucker ${desk.run}`;
    const { bytes, messageId } = email('qp-utf8.eml', { from: desk.users.customer.email, subject });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'accepted', collection: 'tickets' });
    const ticket = await desk
      .db('tickets')
      .where({ id: data(response)['item'] })
      .first();
    expect(ticket).toMatchObject({
      subject,
      organization: desk.org.id,
      requester: desk.users.customer.id,
      channel: 'email',
    });
    // Written with the customer's accountability: Directus's activity names them.
    const activity = await desk
      .db('directus_activity')
      .where({ collection: 'tickets', item: ticket.id, action: 'create' })
      .first('user');
    expect(activity?.user).toBe(desk.users.customer.id);
    expect(ticket.description).toContain('Können Sie bitte jemanden schicken?');
    expect(ticket.description).not.toContain('wrote:');
    expect(ticket.description).not.toContain('Buchhaltung');
    expect(await inboundRow(messageId)).toMatchObject({ status: 'accepted', result_item: ticket.id });
  });

  it.each([
    ['base64-utf8.eml', 'Grüße aus Zürich.', 'Sent from my iPhone'],
    ['latin1-qp.eml', 'le montant dû est 120 EUR trop élevé', 'Please find your invoice'],
    ['html-only.eml', 'The shared calendar shows last week’s meetings only.', 'Old text'],
  ])('decodes %s', async (fixture, expected, stripped) => {
    const { bytes } = email(fixture, {
      from: desk.users.customer.email,
      subject: `=?UTF-8?B?${Buffer.from(`Grüße ${fixture} ${desk.run}`).toString('base64')}?=`,
    });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    const ticket = await desk
      .db('tickets')
      .where({ id: data(response)['item'] })
      .first();
    expect(ticket.subject).toBe(`Grüße ${fixture} ${desk.run}`);
    expect(ticket.description).toContain(expected);
    expect(ticket.description).not.toContain(stripped);
  });

  it('is one ticket however often the same Message-ID is delivered', async () => {
    const subject = `Twice ${desk.run}`;
    const { bytes, messageId } = email('qp-utf8.eml', { from: desk.users.customer.email, subject });
    const first = await postSigned(bytes);
    const again = await postSigned(bytes); // a provider's retry: a new webhook-id, the same email
    const viaOther = await postMailgun(bytes); // even through the other instance and scheme
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(data(again)).toMatchObject({ status: 'duplicate', was: 'accepted' });
    expect(viaOther.status).toBe(200);
    expect(await desk.db('tickets').where({ subject }).count({ n: '*' })).toEqual([{ n: '1' }]);
    expect(await desk.db('inbound_emails').where({ message_id: messageId }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });
});

describe('replies', () => {
  async function ticketOf(org: 'org' | 'otherOrg') {
    const requester = org === 'org' ? desk.users.customer.id : desk.users.outsider.id;
    const ticket = await asAdmin<{ id: string; number: string }>(desk, 'POST', '/items/tickets', {
      subject: `Existing ${org} ${desk.run}`,
      description: 'x',
      organization: desk[org].id,
      requester,
    });
    return desk.db('tickets').where({ id: ticket.id }).first('id', 'number');
  }
  const messagesOf = (ticket: string) =>
    desk.db('ticket_messages').where({ ticket }).orderBy('date_created').select('body', 'author', 'internal');

  it('by the [SD-…] reference become a public message by the sender', async () => {
    const ticket = await ticketOf('org');
    const { bytes } = email('base64-utf8.eml', {
      from: desk.users.customer.email,
      subject: `Re: [${ticket.number}] x`,
    });
    const response = await postSigned(bytes);
    expect(data(response)).toMatchObject({ status: 'accepted', collection: 'ticket_messages' });
    expect(await messagesOf(ticket.id)).toEqual([
      { body: expect.stringContaining('Grüße aus Zürich.'), author: desk.users.customer.id, internal: false },
    ]);
  });

  it('by In-Reply-To a notification email we sent for the ticket (no reference in the subject)', async () => {
    const ticket = await ticketOf('org');
    const sent = `<${randomUUID()}@desk.example.com>`;
    // The outbox row deliver.ts leaves after sending a notification about a reply on the ticket (its Message-ID).
    const message = randomUUID();
    await desk.db('ticket_messages').insert({
      id: message,
      ticket: ticket.id,
      body: 'agent answer',
      internal: false,
      date_created: desk.db.raw("now() - interval '1 minute'"),
    });
    await desk.db('notification_outbox').insert({
      id: randomUUID(),
      key: `inbound-test-${message}`,
      channel: 'email',
      status: 'sent',
      collection: 'ticket_messages',
      item: message,
      message_id: sent,
      recipient: desk.users.customer.id,
    });
    const { bytes } = email('latin1-qp.eml', {
      from: desk.users.customer.email,
      subject: 'Re: your answer',
      extra: [`In-Reply-To: ${sent}`, `References: <older@x> ${sent}`],
    });
    const response = await postSigned(bytes);
    expect(data(response)).toMatchObject({ status: 'accepted', collection: 'ticket_messages' });
    const bodies = (await messagesOf(ticket.id)).map((row) => row.body);
    expect(bodies).toEqual(['agent answer', expect.stringContaining('120 EUR trop élevé')]);
  });

  it('that spoof another organization’s ticket reference are refused, and nothing is written there', async () => {
    const victim = await ticketOf('otherOrg');
    const { bytes, messageId } = email('qp-utf8.eml', {
      from: desk.users.customer.email,
      subject: `Re: [${victim.number}] give me access`,
    });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'refused' });
    expect(await messagesOf(victim.id)).toEqual([]);
    expect(await inboundRow(messageId)).toMatchObject({ status: 'refused' });
  });
});

describe('automatic mail', () => {
  it.each([
    ['an out-of-office reply', 'auto-reply.eml', [] as string[], 'Auto-Submitted: auto-replied'],
    ['bulk mail', 'qp-utf8.eml', ['Precedence: bulk'], 'Precedence: bulk'],
    ['our own address', 'qp-utf8.eml', [], 'sent from our own address'],
  ])('drops %s without a ticket', async (_label, fixture, extra, reason) => {
    const subject = `Auto ${randomUUID()}`;
    const from = reason === 'sent from our own address' ? 'support@desk.example.com' : desk.users.customer.email;
    const { bytes } = email(fixture, { from, subject, extra });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'dropped', reason });
    expect(await desk.db('tickets').where({ subject }).first()).toBeUndefined();
  });
});

describe('attachments', () => {
  it('an attachment and an inline image become files on the ticket’s first message', async () => {
    const subject = `Screenshot ${desk.run}`;
    const { bytes } = email('attachments.eml', { from: desk.users.customer.email, subject });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    const report = data(response)['attachments'] as unknown as { stored: string[]; refused: unknown[] };
    expect(report.stored).toHaveLength(2);
    expect(report.refused).toEqual([]);
    const files = await desk.db('directus_files').whereIn('id', report.stored).select('type', 'filename_download');
    expect(files.map((file) => file.filename_download).sort()).toEqual(['inline.png', 'screenshot.png']);
    expect(files.every((file) => file.type === 'image/png')).toBe(true);
    // The sender's own files: counted against their organization's storage quota, as their uploads are.
    expect(
      (await desk.db('directus_files').whereIn('id', report.stored).select('uploaded_by')).map((f) => f.uploaded_by),
    ).toEqual([desk.users.customer.id, desk.users.customer.id]);
    const links = await desk
      .db('ticket_messages_files as l')
      .join('ticket_messages as m', 'm.id', 'l.ticket_messages_id')
      .where('m.ticket', data(response)['item'])
      .select('l.directus_files_id');
    expect(links.map((link) => link.directus_files_id).sort()).toEqual([...report.stored].sort());
    // The customer reads them as through the portal (the read rule follows the message link).
    const read = await getJson(`${harness().baseUrl}/files/${report.stored[0]}`, {
      headers: { authorization: `Bearer ${desk.users.customer.token}` },
    });
    expect(read.status).toBe(200);
  });

  it('an HTML page and an infected file are refused and not stored; the email is still a ticket', async () => {
    const subject = `Invoice ${desk.run}`;
    const before = clamd.scanned();
    const { bytes, messageId } = email('hostile-attachments.eml', { from: desk.users.customer.email, subject });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    const report = data(response)['attachments'] as unknown as { stored: string[]; refused: Array<{ name: string }> };
    expect(report.stored).toEqual([]);
    expect(report.refused.map((entry) => entry.name).sort()).toEqual(['invoice.html', 'invoice.txt']);
    expect(clamd.scanned()).toBeGreaterThan(before);
    expect(
      await desk.db('directus_files').whereIn('filename_download', ['invoice.html', 'invoice.txt']).first(),
    ).toBeUndefined();
    expect((await inboundRow(messageId)).attachments).toMatchObject({ refused: expect.any(Array) });
  });

  it('over the sender organization’s storage quota are refused and not stored; the email is still a ticket', async () => {
    // Attachments by email used to bypass the quota an upload meets (stored with no uploader, counted by no one).
    const subject = `Over quota ${desk.run}`;
    await desk.db('organizations').where({ id: desk.org.id }).update({ storage_quota: 1 });
    try {
      const { bytes } = email('attachments.eml', { from: desk.users.customer.email, subject });
      const response = await postSigned(bytes);
      expect(response.status).toBe(202);
      expect(data(response)).toMatchObject({ status: 'accepted', collection: 'tickets' });
      const report = data(response)['attachments'] as unknown as {
        stored: string[];
        refused: Array<{ name: string; reason: string }>;
      };
      expect(report.stored).toEqual([]);
      expect(report.refused.map((entry) => entry.name).sort()).toEqual(['inline.png', 'screenshot.png']);
      expect(report.refused.every((entry) => /quota/i.test(entry.reason))).toBe(true);
      const ticket = await desk.db('tickets').where({ subject }).first('id');
      expect(ticket).toBeDefined();
      const links = await desk
        .db('ticket_messages_files as l')
        .join('ticket_messages as m', 'm.id', 'l.ticket_messages_id')
        .where('m.ticket', ticket.id);
      expect(links).toEqual([]);
    } finally {
      await desk.db('organizations').where({ id: desk.org.id }).update({ storage_quota: null });
    }
  });
});

describe('unknown senders', () => {
  it('reject: recorded as refused, no ticket, no user', async () => {
    const from = `stranger-${desk.run}@${desk.run}.example.com`;
    const subject = `Stranger ${desk.run}`;
    const { bytes, messageId } = email('qp-utf8.eml', { from, subject });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'refused', reason: 'unknown sender' });
    expect(await desk.db('tickets').where({ subject }).first()).toBeUndefined();
    expect(await desk.db('directus_users').where({ email: from }).first()).toBeUndefined();
    expect(await inboundRow(messageId)).toMatchObject({ status: 'refused' });
  });

  it('pending_contact: a draft customer of the domain’s organization, who cannot sign in; the email is held', async () => {
    const from = `newcomer-${desk.run}@${desk.run}.example.com`;
    const subject = `Newcomer ${desk.run}`;
    const { bytes } = email('qp-utf8.eml', { from, subject });
    const response = await postMailgun(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'held' });
    const user = await desk.db('directus_users').where({ email: from }).first('status', 'organization', 'role');
    expect(user).toMatchObject({ status: 'draft', organization: desk.org.id });
    expect(await desk.db('tickets').where({ subject }).first()).toBeUndefined();
    // The next email from them is held too (not a second contact) until staff activate the contact.
    const next = await postMailgun(email('qp-utf8.eml', { from, subject: `${subject} 2` }).bytes);
    expect(data(next)).toMatchObject({ status: 'held' });
    expect(await desk.db('directus_users').where({ email: from }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('pending_contact: a domain no organization has is refused', async () => {
    const { bytes } = email('qp-utf8.eml', { from: `x-${desk.run}@nowhere-${desk.run}.example`, subject: 'x' });
    expect(data(await postMailgun(bytes))).toMatchObject({ status: 'refused' });
  });
});

describe('refused requests', () => {
  const good = () => email('qp-utf8.eml', { from: desk.users.customer.email, subject: `Sig ${randomUUID()}` });

  it('401 for unsigned, badly signed and replayed (outside the tolerance) requests: a security event each, no email', async () => {
    const since = new Date(Date.now() - 1000);
    const { bytes, messageId } = good();
    const unsigned = await getJson(`${signed.baseUrl}/groundwork/v1/inbound/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: new Uint8Array(bytes),
    });
    expectErrorEnvelope(unsigned, 'INVALID_CREDENTIALS');
    expect(unsigned.status).toBe(401);
    const otherSecret = await postSigned(bytes, { secret: `whsec_${randomBytes(24).toString('base64')}` });
    expect(otherSecret.status).toBe(401);
    const replayed = await postSigned(bytes, { at: Math.floor(Date.now() / 1000) - 3600 });
    expect(replayed.status).toBe(401);
    const mailgunWrongKey = await postMailgun(bytes, { key: `key-${randomBytes(16).toString('hex')}` });
    expect(mailgunWrongKey.status).toBe(401);
    const mailgunOld = await postMailgun(bytes, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(mailgunOld.status).toBe(401);
    expect(await inboundRow(messageId)).toBeUndefined();
    // Recorded before the answer: who was refused, by which scheme, why (no secret, no address).
    const events = await desk
      .db('groundwork.security_events')
      .where({ type: 'inbound_email', outcome: 'refused' })
      .where('occurred_at', '>=', since)
      .select('detail', 'ip');
    const reasons = events.map((event) => `${event.detail.scheme}: ${event.detail.reason}`).sort();
    expect(reasons).toEqual(
      expect.arrayContaining([
        'mailgun: no signature matches',
        'mailgun: the signed timestamp is outside the tolerance',
        'standard-webhooks: no signature matches',
        'standard-webhooks: the signed timestamp is outside the tolerance',
        'standard-webhooks: the webhook-id or webhook-signature is missing',
      ]),
    );
    expect(events.every((event) => typeof event.ip === 'string' && event.ip.length > 0)).toBe(true);
  });

  it('413 for a body over the limit, 400 for something that is no email', async () => {
    const big = Buffer.concat([good().bytes, Buffer.alloc(70 * 1024, 'a')]);
    const tooLarge = await postSigned(big);
    expect(tooLarge.status).toBe(413);
    const garbage = await postSigned(Buffer.from(randomBytes(512).toString('base64')));
    expect(garbage.status).toBe(400);
    expectErrorEnvelope(garbage, 'INVALID_PAYLOAD');
    expect(garbage.text).not.toMatch(/\bat .+\.js:\d+/);
  });
});

describe('sender authentication (decision 0053)', () => {
  const events = (inbound: string) =>
    desk
      .db('groundwork.security_events')
      .where({ type: 'inbound_email', outcome: 'unauthenticated_sender' })
      .whereRaw("detail->>'inbound' = ?", [inbound]);

  it('a forged From of a real customer (the provider saw DMARC fail) is refused, not posted as them, and recorded', async () => {
    const subject = `Forged ${desk.run}`;
    const domain = domainOfAddress(desk.users.customer.email);
    // The forger's own server signed for attacker.example and wrote an Authentication-Results claiming a pass (in the
    // fixture, below); the provider's, on top, says what it saw.
    const { bytes, messageId } = email('forged-from.eml', {
      from: desk.users.customer.email,
      subject,
      auth: `${AUTHSERV}; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=bounce@attacker.example; dmarc=fail (p=REJECT) header.from=${domain}`,
    });
    const response = await postSigned(bytes);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('the sender is not authenticated'),
    });
    expect(await desk.db('tickets').where({ subject }).first()).toBeUndefined();
    expect(await desk.db('ticket_messages').where('body', 'like', '%admin password%').first()).toBeUndefined();
    const row = await inboundRow(messageId);
    expect(row).toMatchObject({ status: 'refused' });
    expect(await events(row.id)).toHaveLength(1);
  });

  it.each([
    ['no Authentication-Results at all', null],
    ['only another server’s header (not the provider’s authserv-id)', 'mx.attacker.example; dmarc=pass header.from=x'],
    ['a pass for the attacker’s domain only', `${AUTHSERV}; dkim=pass header.d=attacker.example; dmarc=none`],
  ])('refuses a customer’s address with %s', async (_label, auth) => {
    const subject = `Unauthenticated ${randomUUID()}`;
    const { bytes } = email('qp-utf8.eml', { from: desk.users.customer.email, subject, auth });
    const response = await postSigned(bytes);
    expect(data(response)).toMatchObject({ status: 'refused' });
    expect(await desk.db('tickets').where({ subject }).first()).toBeUndefined();
  });

  it('accepts an aligned DKIM pass (a subdomain signs) without a DMARC result', async () => {
    const subject = `Aligned ${desk.run}`;
    const domain = domainOfAddress(desk.users.customer.email);
    const { bytes } = email('qp-utf8.eml', {
      from: desk.users.customer.email,
      subject,
      auth: `${AUTHSERV}; dkim=pass header.d=mail.${domain}; spf=softfail smtp.mailfrom=x@other.example`,
    });
    const response = await postSigned(bytes);
    expect(data(response)).toMatchObject({ status: 'accepted', collection: 'tickets' });
    expect(await desk.db('tickets').where({ subject }).first('requester')).toEqual({
      requester: desk.users.customer.id,
    });
  });

  it('an unauthenticated unknown sender does not become a pending contact', async () => {
    const from = `spoofed-${desk.run}@${desk.run}.example.com`;
    const response = await postMailgun(
      email('qp-utf8.eml', { from, subject: `Spoofed ${desk.run}`, auth: 'mx.other.test; dmarc=fail' }).bytes,
    );
    expect(data(response)).toMatchObject({ status: 'refused' });
    expect(await desk.db('directus_users').where({ email: from }).first()).toBeUndefined();
  });
});

describe('per-sender rate limit (decision 0053)', () => {
  it(`beyond ${SENDER_LIMIT} emails an hour from one sender: recorded and dropped, still 202`, async () => {
    const from = `flood-${desk.run}@${desk.run}.example.com`;
    const answers = [];
    // Sequential: each is counted once the one before is recorded.
    for (let index = 0; index < SENDER_LIMIT + 2; index++) {
      const { bytes, messageId } = email('qp-utf8.eml', { from, subject: `Flood ${index} ${desk.run}` });
      const response = await postMailgun(bytes);
      answers.push({ status: response.status, data: data(response), row: await inboundRow(messageId) });
    }
    expect(answers.map((answer) => answer.status)).toEqual(Array(SENDER_LIMIT + 2).fill(202));
    expect(answers.map((answer) => answer.data['status'])).toEqual([
      ...Array(SENDER_LIMIT).fill('held'),
      'dropped',
      'dropped',
    ]);
    expect(answers.at(-1)!.row).toMatchObject({
      status: 'dropped',
      reason: `more than ${SENDER_LIMIT} emails in an hour from this sender`,
      held_mime: null,
    });
    // Another sender of the same domain is not limited by this one.
    const other = await postMailgun(
      email('qp-utf8.eml', { from: `calm-${desk.run}@${desk.run}.example.com`, subject: `Calm ${desk.run}` }).bytes,
    );
    expect(data(other)).toMatchObject({ status: 'held' });
  });
});

describe('held emails of a pending contact (decision 0053)', () => {
  it('are posted as the contact once staff activate it, oldest first; refused ones are not', async () => {
    const from = `joiner-${desk.run}@${desk.run}.example.com`;
    const subjects = [`Joiner one ${desk.run}`, `Joiner two ${desk.run}`];
    const held = [];
    for (const subject of subjects) {
      const { bytes, messageId } = email('attachments.eml', { from, subject });
      expect(data(await postMailgun(bytes))).toMatchObject({ status: 'held' });
      held.push(messageId);
    }
    // A forged one in their name is refused, so never held, so never posted.
    const forged = email('qp-utf8.eml', { from, subject: `Joiner forged ${desk.run}`, auth: 'mx.x; dmarc=fail' });
    expect(data(await postMailgun(forged.bytes))).toMatchObject({ status: 'refused' });
    const row = await inboundRow(held[0]!);
    expect(row.held_mime).toEqual(expect.any(String));
    const contact = await desk.db('directus_users').where({ email: from }).first('id');

    // Staff activate the contact (on an instance where inbound email is configured, as every instance of a deployment).
    const token = await adminToken(mailgun.baseUrl);
    const activated = await getJson(`${mailgun.baseUrl}/users/${contact.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'active' }),
    });
    expect(activated.status).toBe(200);

    let rows: Array<Record<string, unknown>> = [];
    for (const started = Date.now(); Date.now() - started < 60_000; ) {
      rows = await desk.db('inbound_emails').whereIn('message_id', held).orderBy('date_created');
      if (rows.every((entry) => entry['status'] === 'accepted')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(rows.map((entry) => [entry['status'], entry['held_mime']])).toEqual([
      ['accepted', null],
      ['accepted', null],
    ]);
    const tickets = await desk
      .db('tickets')
      .whereIn('subject', subjects)
      .orderBy('number')
      .select('id', 'subject', 'requester', 'organization', 'channel');
    expect(tickets).toEqual([
      expect.objectContaining({
        subject: subjects[0],
        requester: contact.id,
        organization: desk.org.id,
        channel: 'email',
      }),
      expect.objectContaining({
        subject: subjects[1],
        requester: contact.id,
        organization: desk.org.id,
        channel: 'email',
      }),
    ]);
    // Written as the contact, attachments included.
    const activity = await desk
      .db('directus_activity')
      .where({ collection: 'tickets', item: tickets[0].id, action: 'create' })
      .first('user');
    expect(activity?.user).toBe(contact.id);
    expect((rows[0]!['attachments'] as { stored: string[] }).stored).toHaveLength(2);
    expect(
      await desk
        .db('tickets')
        .where({ subject: `Joiner forged ${desk.run}` })
        .first(),
    ).toBeUndefined();
  });
});

describe('Postmark’s inbound JSON (decision 0053)', () => {
  function postmarkPayload(from: string, subject: string, messageId = `<${randomUUID()}@mail.customer.example>`) {
    const text = readFileSync(path.join(fixtures, 'postmark.json'), 'utf8')
      .replaceAll('{{FROM}}', from)
      .replaceAll('{{SUBJECT}}', subject)
      .replaceAll('{{MESSAGE_ID}}', messageId)
      .replaceAll('{{AUTH_RESULTS}}', passing(from));
    return { json: text, messageId };
  }
  const postPostmark = (json: string, credentials: string | null = POSTMARK_AUTH) =>
    getJson(`${postmark.baseUrl}/groundwork/v1/inbound/email`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {}),
      },
      body: json,
    });

  it('becomes a ticket as the customer, its history stripped and its attachment stored; once', async () => {
    const subject = `Rechnung ${desk.run}`;
    const { json, messageId } = postmarkPayload(desk.users.customer.email, subject);
    const response = await postPostmark(json);
    expect(response.status).toBe(202);
    expect(data(response)).toMatchObject({ status: 'accepted', collection: 'tickets' });
    const ticket = await desk
      .db('tickets')
      .where({ id: data(response)['item'] })
      .first();
    expect(ticket).toMatchObject({ subject, requester: desk.users.customer.id, channel: 'email' });
    expect(ticket.description).toContain('Die Rechnung 2026-113 ist doppelt gebucht.');
    expect(ticket.description).not.toContain('Ihre Anfrage ist eingegangen');
    const report = data(response)['attachments'] as unknown as { stored: string[] };
    expect(report.stored).toHaveLength(1);
    expect(await inboundRow(messageId)).toMatchObject({ status: 'accepted', message_id: messageId });
    const again = await postPostmark(json);
    expect(again.status).toBe(200);
    expect(data(again)).toMatchObject({ status: 'duplicate', was: 'accepted' });
  });

  it('401 without or with wrong credentials (a security event), 400 for JSON that is not Postmark’s', async () => {
    const { json } = postmarkPayload(desk.users.customer.email, `Nope ${desk.run}`);
    expect((await postPostmark(json, null)).status).toBe(401);
    const wrong = await postPostmark(json, 'postmark:wrong-password');
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong, 'INVALID_CREDENTIALS');
    const event = await desk
      .db('groundwork.security_events')
      .where({ type: 'inbound_email', outcome: 'refused' })
      .whereRaw("detail->>'scheme' = 'postmark' and detail->>'reason' = 'the basic authorization does not match'")
      .first();
    expect(event).toBeDefined();
    const notPostmark = await postPostmark(JSON.stringify({ Subject: 'x' }));
    expect(notPostmark.status).toBe(400);
    expectErrorEnvelope(notPostmark, 'INVALID_PAYLOAD');
    expect(
      await desk
        .db('tickets')
        .where({ subject: `Nope ${desk.run}` })
        .first(),
    ).toBeUndefined();
  });
});

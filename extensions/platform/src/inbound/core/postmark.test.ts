import { describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { postmarkInbound, postmarkMime } from './postmark.js';
import { verifyBasicAuth } from './signature.js';

const payload = postmarkInbound.parse({
  FromName: 'Jana Müller',
  FromFull: { Email: 'jana@customer.example', Name: 'Jana Müller', MailboxHash: '' },
  To: 'support@desk.example.com',
  Subject: 'Grüße: printer',
  MessageID: '73e6d360-66eb-11e1-8e72-a8904824019b',
  Date: 'Thu, 3 Dec 2026 10:00:00 +0000',
  TextBody: 'Der Drucker druckt nicht.\n\nOn Wed, Support wrote:\n> old',
  HtmlBody: '<p>Der Drucker druckt nicht.</p>',
  Headers: [
    { Name: 'Message-ID', Value: '<abc@mail.customer.example>' },
    { Name: 'In-Reply-To', Value: '<sent@desk.example.com>' },
    { Name: 'Authentication-Results', Value: 'inbound.postmarkapp.com; dmarc=pass header.from=customer.example' },
    { Name: 'Content-Type', Value: 'ignored' },
  ],
  Attachments: [{ Name: 'screen.png', Content: Buffer.from('png bytes').toString('base64'), ContentType: 'image/png' }],
  Tag: '',
});

describe('postmarkMime', () => {
  it('writes the email mailparser reads back: headers, both bodies, attachments', async () => {
    const mail = await simpleParser(postmarkMime(payload, 'b0undary'));
    expect(mail.from?.value[0]).toEqual({ address: 'jana@customer.example', name: 'Jana Müller' });
    expect(mail.subject).toBe('Grüße: printer');
    expect(mail.messageId).toBe('<abc@mail.customer.example>');
    expect(mail.inReplyTo).toBe('<sent@desk.example.com>');
    expect(mail.headers.get('authentication-results')).toContain('dmarc=pass');
    expect(mail.text).toContain('Der Drucker druckt nicht.');
    expect(mail.html).toContain('<p>Der Drucker');
    expect(mail.attachments.map((file) => [file.filename, file.contentType, file.content.toString()])).toEqual([
      ['screen.png', 'image/png', 'png bytes'],
    ]);
  });
  it('uses Postmark’s id when the email had no Message-ID, and RawEmail as it is', async () => {
    const bare = postmarkInbound.parse({ ...payload, Headers: [] });
    expect((await simpleParser(postmarkMime(bare, 'b'))).messageId).toBe(
      '<73e6d360-66eb-11e1-8e72-a8904824019b@inbound.postmarkapp.com>',
    );
    const raw = postmarkInbound.parse({ ...payload, RawEmail: 'From: a@b.example\r\nSubject: raw\r\n\r\nhi' });
    expect(postmarkMime(raw, 'b').toString()).toBe('From: a@b.example\r\nSubject: raw\r\n\r\nhi');
  });
  it('cannot inject headers through values or names', async () => {
    const evil = postmarkInbound.parse({
      ...payload,
      Subject: 'x\r\nBcc: victim@example.com',
      Headers: [{ Name: 'X-Evil\r\nAuthentication-Results', Value: 'mx; dmarc=pass' }],
    });
    const mail = await simpleParser(postmarkMime(evil, 'b'));
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.get('authentication-results')).toBeUndefined();
  });
  it('refuses a payload without a sender', () => {
    expect(postmarkInbound.safeParse({ Subject: 'x' }).success).toBe(false);
  });
});

describe('verifyBasicAuth', () => {
  const header = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
  it('accepts the configured user:password only', () => {
    expect(verifyBasicAuth('postmark:s3cret-long-enough', header('postmark:s3cret-long-enough'))).toEqual({ ok: true });
    expect(verifyBasicAuth('postmark:s3cret-long-enough', header('postmark:wrong'))).toMatchObject({ ok: false });
    expect(verifyBasicAuth('postmark:s3cret-long-enough', undefined)).toMatchObject({ ok: false });
    expect(verifyBasicAuth('postmark:s3cret-long-enough', 'Bearer x')).toMatchObject({ ok: false });
  });
});

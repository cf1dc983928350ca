import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { verifyMailgun, verifyStandardWebhook } from './signature.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const now = 1_796_300_000;
const body = Buffer.from('From: a@b.example\r\nSubject: Grüße\r\n\r\nHallo\r\n', 'utf8');

/** Signed by the standardwebhooks package itself: what a provider using it sends. */
function signed(id: string, at: number, payload: Buffer) {
  const signature = new Webhook(secret).sign(id, new Date(at * 1000), payload.toString('utf8'));
  return { id, timestamp: String(at), signature };
}

describe('verifyStandardWebhook', () => {
  it('accepts a request the standardwebhooks package signed', () => {
    expect(verifyStandardWebhook(secret, signed('msg_1', now, body), body, now, 300)).toEqual({ ok: true });
  });
  it('accepts any of several signatures (a rotation)', () => {
    const headers = signed('msg_1', now, body);
    headers.signature = `v1,AAAA ${headers.signature}`;
    expect(verifyStandardWebhook(secret, headers, body, now, 300).ok).toBe(true);
  });
  it('refuses a changed body, id or timestamp', () => {
    const headers = signed('msg_1', now, body);
    expect(verifyStandardWebhook(secret, headers, Buffer.concat([body, Buffer.from('x')]), now, 300).ok).toBe(false);
    expect(verifyStandardWebhook(secret, { ...headers, id: 'msg_2' }, body, now, 300).ok).toBe(false);
    expect(verifyStandardWebhook(secret, { ...headers, timestamp: String(now + 1) }, body, now, 300).ok).toBe(false);
  });
  it('refuses a request signed with another secret', () => {
    const other = new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).sign(
      'msg_1',
      new Date(now * 1000),
      'x',
    );
    expect(
      verifyStandardWebhook(secret, { id: 'msg_1', timestamp: String(now), signature: other }, body, now, 300),
    ).toEqual({ ok: false, reason: 'no signature matches' });
  });
  it('refuses a replay outside the tolerance, either way', () => {
    expect(verifyStandardWebhook(secret, signed('m', now - 301, body), body, now, 300)).toEqual({
      ok: false,
      reason: 'the signed timestamp is outside the tolerance',
    });
    expect(verifyStandardWebhook(secret, signed('m', now + 301, body), body, now, 300).ok).toBe(false);
  });
  it('refuses missing or malformed headers', () => {
    expect(verifyStandardWebhook(secret, {}, body, now, 300).ok).toBe(false);
    expect(verifyStandardWebhook(secret, { id: 'm', signature: 'v1,x', timestamp: 'soon' }, body, now, 300)).toEqual({
      ok: false,
      reason: 'the signed timestamp is missing or malformed',
    });
    expect(
      verifyStandardWebhook(secret, { id: 'm', signature: 'v2,x', timestamp: String(now) }, body, now, 300).ok,
    ).toBe(false);
  });
});

describe('verifyMailgun', () => {
  const key = 'key-0123456789abcdef0123456789abcdef';
  const sign = (timestamp: string, token: string) =>
    createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
  it('accepts Mailgun’s timestamp+token HMAC', () => {
    const fields = { timestamp: String(now), token: 'a'.repeat(50), signature: sign(String(now), 'a'.repeat(50)) };
    expect(verifyMailgun(key, fields, now, 300)).toEqual({ ok: true });
  });
  it('refuses another token, an old timestamp, a malformed or missing signature', () => {
    const good = sign(String(now), 'tok');
    expect(verifyMailgun(key, { timestamp: String(now), token: 'other', signature: good }, now, 300).ok).toBe(false);
    const old = String(now - 3600);
    expect(verifyMailgun(key, { timestamp: old, token: 'tok', signature: sign(old, 'tok') }, now, 300).ok).toBe(false);
    expect(verifyMailgun(key, { timestamp: String(now), token: 'tok', signature: 'zz' }, now, 300).ok).toBe(false);
    expect(verifyMailgun(key, { timestamp: String(now), token: 'tok' }, now, 300).ok).toBe(false);
  });
});

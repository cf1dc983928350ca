// Verification of an inbound email request, by the scheme configuration names (decision 0049). Pure (node:crypto).
// - Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body bytes>">` keyed with
//   the bytes after `whsec_` (webhooks/core/signing.ts signs our outgoing ones the same way); several signatures may
//   be listed, space-separated, during a rotation.
// - Mailgun: the form fields `timestamp`, `token`, `signature`, where signature = hex HMAC-SHA256 of
//   timestamp + token keyed with the account's HTTP webhook signing key
//   (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks).
// In both the timestamp must be within the tolerance of now, so a captured request cannot be replayed later; within
// the window a replay carries the same Message-ID, which the idempotency record absorbs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKey } from '../../webhooks/core/signing.js';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const equal = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

function withinTolerance(timestamp: string | undefined, nowSeconds: number, toleranceSeconds: number): string | null {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'the signed timestamp is missing or malformed';
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds)
    return 'the signed timestamp is outside the tolerance';
  return null;
}

export function verifyStandardWebhook(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: Buffer,
  nowSeconds: number,
  toleranceSeconds: number,
): VerifyResult {
  if (!headers.id || !headers.signature) return { ok: false, reason: 'the webhook-id or webhook-signature is missing' };
  const late = withinTolerance(headers.timestamp, nowSeconds, toleranceSeconds);
  if (late) return { ok: false, reason: late };
  const expected = createHmac('sha256', secretKey(secret))
    .update(`${headers.id}.${headers.timestamp}.`)
    .update(body)
    .digest();
  const matches = headers.signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => equal(Buffer.from(entry.slice(3), 'base64'), expected));
  return matches ? { ok: true } : { ok: false, reason: 'no signature matches' };
}

export function verifyMailgun(
  signingKey: string,
  fields: { timestamp?: string; token?: string; signature?: string },
  nowSeconds: number,
  toleranceSeconds: number,
): VerifyResult {
  if (!fields.token || !fields.signature) return { ok: false, reason: 'the token or signature is missing' };
  const late = withinTolerance(fields.timestamp, nowSeconds, toleranceSeconds);
  if (late) return { ok: false, reason: late };
  if (!/^[0-9a-f]{64}$/i.test(fields.signature)) return { ok: false, reason: 'no signature matches' };
  const expected = createHmac('sha256', signingKey).update(`${fields.timestamp}${fields.token}`).digest();
  return equal(Buffer.from(fields.signature, 'hex'), expected)
    ? { ok: true }
    : { ok: false, reason: 'no signature matches' };
}

/**
 * Postmark (decision 0053): HTTP basic auth, the `user:password` Postmark's webhook URL carries, compared in
 * constant time. No signed timestamp, so no replay window: a replayed request is the same email, which the
 * Message-ID record answers as a duplicate.
 */
export function verifyBasicAuth(credentials: string, authorization: string | undefined): VerifyResult {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? '');
  if (!match) return { ok: false, reason: 'the basic authorization is missing' };
  const given = createHmac('sha256', 'inbound-basic').update(Buffer.from(match[1]!, 'base64')).digest();
  const expected = createHmac('sha256', 'inbound-basic').update(credentials, 'utf8').digest();
  // Digests of equal length, so the comparison says nothing about the credentials' length.
  return equal(given, expected) ? { ok: true } : { ok: false, reason: 'the basic authorization does not match' };
}

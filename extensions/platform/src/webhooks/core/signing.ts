// Standard Webhooks signing (https://www.standardwebhooks.com, the scheme Svix and the `standardwebhooks` package use):
// `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the base64
// bytes after `whsec_`; during a rotation one signature per live secret, space-separated. The message id is stable
// per (event, subscription), so a retry or a replay carries the same `webhook-id` and receivers can de-duplicate.
// Pure (node:crypto only).
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** 24 random bytes (192 bits), as Svix's secrets; the spec asks for 24 to 64. */
const SECRET_BYTES = 24;

export function generateSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(SECRET_BYTES).toString('base64')}`;
}

export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 16) throw new Error('a webhook secret carries at least 16 bytes');
  return key;
}

/** One `v1,<base64>` signature of the message. */
export function sign(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSeconds}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers, with one signature per secret (every secret live during a rotation). */
export function signedHeaders(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  if (secrets.length === 0) throw new Error('no secret to sign with');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((secret) => sign(secret, messageId, timestampSeconds, body)).join(' '),
  };
}

/** `msg_` + 24 base64url characters of SHA-256(event id, subscription id): the same for every attempt and replay. */
export function messageId(eventId: string, subscriptionId: string): string {
  const digest = createHash('sha256').update(`${eventId}\u0000${subscriptionId}`).digest('base64url');
  return `msg_${digest.slice(0, 24)}`;
}

/** The body receivers get: Standard Webhooks' recommended envelope of type, timestamp and data. */
export function payloadOf(event: {
  id: string;
  type: string;
  occurredAt: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
}): { type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    type: event.type,
    timestamp: event.occurredAt,
    data: { event_id: event.id, collection: event.collection, item: event.item, actor: event.actor, ...event.data },
  };
}

// API keys (decision 0020), pure: the key format, how its secret is stored (a SHA-256 hash: the secret is 32 random
// bytes, so a pepper or a slow hash adds nothing an attacker could not skip), the signing secret derived from the
// server SECRET and the key id (so the server verifies signatures without storing that secret in clear), the
// signature over a request and its time window, and the key's state at a given time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API key starts with this, so the authenticate filter tells it from a JWT or a static token at a glance. */
export const KEY_PREFIX = 'gw_';
/** `gw_<public prefix: 16 hex>_<secret: 32 random bytes, base64url>`. */
const KEY_PATTERN = /^gw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedKey {
  /** The whole key, shown once. */
  key: string;
  /** Public part, stored and shown in lists and events; identifies the key. */
  prefix: string;
  /** What the database keeps instead of the secret. */
  secretHash: string;
}

export function mintKey(random: (size: number) => Buffer = randomBytes): MintedKey {
  const prefix = random(8).toString('hex');
  const secret = random(32).toString('base64url');
  return { key: `${KEY_PREFIX}${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export function looksLikeKey(token: unknown): token is string {
  return typeof token === 'string' && token.startsWith(KEY_PREFIX);
}

export function parseKey(token: string): { prefix: string; secret: string } | null {
  const match = KEY_PATTERN.exec(token);
  return match ? { prefix: match[1]!, secret: match[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (or any two strings). */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function secretMatches(secret: string, storedHash: string): boolean {
  return sameDigest(hashSecret(secret), storedHash);
}

/** The key's request-signing secret: recomputed from SECRET on each request, never stored; shown once. */
export function signingSecret(serverSecret: string, keyId: string): string {
  return `gws_${createHmac('sha256', serverSecret).update(`groundwork.api-key.signing:${keyId}`).digest('base64url')}`;
}

export const TIMESTAMP_HEADER = 'x-groundwork-timestamp';
export const SIGNATURE_HEADER = 'x-groundwork-signature';
/** Signed requests older or newer than this are refused; a signature is remembered this long to refuse replays. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent (Express's originalUrl). */
  pathAndQuery: string;
  /** The raw body bytes (empty when there is none). */
  body: Buffer | string;
  /** Unix seconds, as sent in the timestamp header. */
  timestamp: string;
}

export function signingString(request: SignedRequest): string {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  return `${request.timestamp}\n${request.method.toUpperCase()}\n${request.pathAndQuery}\n${bodyHash}`;
}

/** The signature header's value for a request: `v1=<hex HMAC-SHA256 with the signing secret>`. */
export function sign(secret: string, request: SignedRequest): string {
  return `v1=${createHmac('sha256', secret).update(signingString(request)).digest('hex')}`;
}

export type SignatureRefusal = 'signature_missing' | 'signature_malformed' | 'signature_stale' | 'signature_bad';

/** Checks a request's signature and timestamp; returns the refusal, or null with the v1 digest (for replays). */
export function verifySignature(
  secret: string,
  request: Omit<SignedRequest, 'timestamp'> & { timestamp: unknown; signature: unknown },
  now: number,
): { ok: true; digest: string } | { ok: false; reason: SignatureRefusal } {
  const { timestamp, signature } = request;
  if (timestamp === undefined && signature === undefined) return { ok: false, reason: 'signature_missing' };
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'signature_malformed' };
  if (typeof signature !== 'string') return { ok: false, reason: 'signature_missing' };
  // Several `v1=` values may be sent (a client rotating keys); any one valid is enough.
  const digests = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (digests.length === 0 || digests.some((digest) => !/^[0-9a-f]{64}$/.test(digest)))
    return { ok: false, reason: 'signature_malformed' };
  if (Math.abs(now - Number(timestamp) * 1000) > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'signature_stale' };
  const expected = sign(secret, { ...request, timestamp }).slice(3);
  const digest = digests.find((candidate) => sameDigest(candidate, expected));
  return digest ? { ok: true, digest } : { ok: false, reason: 'signature_bad' };
}

export interface KeyState {
  revokedAt: Date | null;
  expiresAt: Date | null;
}

export type KeyRefusal =
  | 'malformed'
  | 'unknown'
  | 'bad_secret'
  | 'revoked'
  | 'expired'
  | 'user_inactive'
  | SignatureRefusal
  | 'replay';

/** A key is usable until it is revoked or its expiry passes. */
export function keyState(key: KeyState, now: number): 'active' | 'revoked' | 'expired' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

/** Last use is written at most once per this interval per key (not a write per request). */
export const LAST_USE_INTERVAL_MS = 60 * 1000;

export function shouldRecordUse(lastUsedAt: Date | null, now: number): boolean {
  return !lastUsedAt || now - lastUsedAt.getTime() >= LAST_USE_INTERVAL_MS;
}

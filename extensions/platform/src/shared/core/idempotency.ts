// A user's Idempotency-Key on a POST that starts a background run (imports, exports): the same key with the same
// request answers the run it started; the same key with another request is a conflict. Keys are per user: another
// user's same key is a key of their own, so reusing someone's key neither reaches their run nor tells it exists.
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Why a sent key is refused (400), or null when it is fine or none was sent. */
export function idempotencyKeyIssue(key: string | null): string | null {
  if (key === null) return null;
  return key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH
    ? `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters.`
    : null;
}

/** The stored key: the user's (an admin static token has none) and a hash of their key; null without a key. */
export function requestKeyOf(user: string | null, key: string | null): string | null {
  return key === null ? null : `key:${user ?? 'admin-token'}:${sha256(key)}`;
}

/** A request's fingerprint: what "the same request" means, compared with the run its key started. */
export const fingerprintOf = sha256;

/** What a run found under the request's key means: none, the same request (answer it), or another one (409). */
export function earlierRun<Run extends { fingerprint: string }>(
  found: Run | null,
  fingerprint: string,
): { kind: 'none' } | { kind: 'same'; run: Run } | { kind: 'conflict' } {
  if (!found) return { kind: 'none' };
  return found.fingerprint === fingerprint ? { kind: 'same', run: found } : { kind: 'conflict' };
}

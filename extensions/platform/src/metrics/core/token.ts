// The scrape token check. Pure (node:crypto only).
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `presented` is the configured token, in constant time: both sides are hashed first, so neither the
 * content nor the length of the token shows in the time the compare takes. No token configured matches nothing.
 */
export function tokenMatches(expected: string | undefined, presented: string | null): boolean {
  if (!expected || presented === null) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

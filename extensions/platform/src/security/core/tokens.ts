// What the security capability derives from secrets: the key an account is throttled and logged under (a hash:
// security events never hold an address in clear), and the password-reset token Directus's reset page accepts.
// Pure: node:crypto only.
import { createHash, createHmac } from 'node:crypto';

/** A stable, non-reversible key for an email address (case-insensitive, as Directus's login looks addresses up). */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** The key of one account seen from one client. */
export function accountClientKey(email: string, ip: string): string {
  return createHash('sha256').update(`${email.trim().toLowerCase()}\n${ip}`).digest('hex');
}

/** The key of a client alone (registration's limiter): the address is not kept in clear either. */
export function clientKey(ip: string): string {
  return createHash('sha256').update(`client\n${ip}`).digest('hex');
}

/** @directus/utils getSimpleHash: Directus binds a reset token to the password it was issued for with it. */
export function simpleHash(text: string): string {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return Math.abs(hash).toString(16);
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * The token UsersService.requestPasswordReset mints (`{email, scope: 'password-reset', hash}`, HS256 with SECRET,
 * issuer directus), so POST /auth/password/reset and the admin app's reset page accept it. `password` is the
 * stored hash (or null): the token stops working once the password changes.
 */
export function passwordResetToken(
  input: { email: string; password: string | null; secret: string; ttlSeconds: number },
  nowMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      email: input.email,
      scope: 'password-reset',
      hash: simpleHash(`${input.password}`),
      iat,
      exp: iat + input.ttlSeconds,
      iss: 'directus',
    }),
  );
  const signature = base64url(createHmac('sha256', input.secret).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${signature}`;
}

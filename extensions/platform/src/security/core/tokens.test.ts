import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { accountClientKey, accountKey, passwordResetToken, simpleHash } from './tokens.js';

/** @directus/utils getSimpleHash as Directus ships it (dist/shared), to check ours gives the same values. */
function directusSimpleHash(str: string) {
  let hash = 0;
  for (let i = 0; i < str.length; hash &= hash) hash = 31 * hash + str.charCodeAt(i++);
  return Math.abs(hash).toString(16);
}

describe('simpleHash', () => {
  it("matches Directus's getSimpleHash, for null and for argon2 hashes", () => {
    for (const text of ['null', '', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', 'é🙂x'.repeat(50)]) {
      expect([text, simpleHash(text)]).toEqual([text, directusSimpleHash(text)]);
    }
  });
});

describe('accountKey', () => {
  it('is case-insensitive, not the address, and differs per client', () => {
    expect(accountKey(' Carol@Acme.example.com')).toBe(accountKey('carol@acme.example.com'));
    expect(accountKey('carol@acme.example.com')).not.toContain('carol');
    expect(accountClientKey('carol@acme.example.com', '10.0.0.1')).not.toBe(
      accountClientKey('carol@acme.example.com', '10.0.0.2'),
    );
  });
});

describe('passwordResetToken', () => {
  it("is an HS256 JWT with Directus's reset claims, signed with the secret", () => {
    const token = passwordResetToken(
      { email: 'a@b.example.com', password: null, secret: 's'.repeat(32), ttlSeconds: 60 },
      1_000_000,
    );
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({
      email: 'a@b.example.com',
      scope: 'password-reset',
      hash: directusSimpleHash('null'),
      iat: 1000,
      exp: 1060,
      iss: 'directus',
    });
    const expected = createHmac('sha256', 's'.repeat(32)).update(`${header}.${payload}`).digest('base64url');
    expect(signature).toBe(expected);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  hashSecret,
  keyState,
  looksLikeKey,
  mintKey,
  parseKey,
  secretMatches,
  shouldRecordUse,
  sign,
  signingSecret,
  SIGNATURE_WINDOW_MS,
  verifySignature,
} from './key.js';

describe('key format and hashing', () => {
  it('mints gw_<16 hex>_<43 base64url> keys that parse back, storing only the SHA-256 of the secret', () => {
    const minted = mintKey();
    expect(minted.key).toMatch(/^gw_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseKey(minted.key)!;
    expect(parsed.prefix).toBe(minted.prefix);
    expect(minted.secretHash).toBe(createHash('sha256').update(parsed.secret).digest('hex'));
    expect(minted.secretHash).not.toContain(parsed.secret);
    expect(secretMatches(parsed.secret, minted.secretHash)).toBe(true);
    expect(
      secretMatches(
        parsed.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        minted.secretHash,
      ),
    ).toBe(false);
    expect(mintKey().key).not.toBe(minted.key);
  });

  it('refuses garbled keys and tells keys from other tokens', () => {
    const { key } = mintKey();
    for (const bad of [key.slice(0, -1), `${key}x`, key.replace('gw_', 'gx_'), 'gw_', 'gw_zz_zz', key.toUpperCase()])
      expect(parseKey(bad)).toBeNull();
    expect(looksLikeKey(key)).toBe(true);
    expect(looksLikeKey('eyJhbGciOi.x.y')).toBe(false);
    expect(looksLikeKey(undefined)).toBe(false);
    expect(hashSecret('a')).toHaveLength(64);
  });
});

describe('key state and last use', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it('is active until revoked or expired', () => {
    expect(keyState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: new Date(now + 1) }, now)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: new Date(now) }, now)).toBe('expired');
    expect(keyState({ revokedAt: new Date(now - 1), expiresAt: new Date(now - 5) }, now)).toBe('revoked');
  });
  it('records use at most once a minute', () => {
    expect(shouldRecordUse(null, now)).toBe(true);
    expect(shouldRecordUse(new Date(now - 59_999), now)).toBe(false);
    expect(shouldRecordUse(new Date(now - 60_000), now)).toBe(true);
  });
});

describe('request signatures', () => {
  const secret = signingSecret('x'.repeat(32), '6f1c1a52-7f57-4b51-9d2e-2a4c8f7f2f10');
  const now = Date.parse('2026-12-02T12:00:00Z');
  const timestamp = String(now / 1000);
  const request = { method: 'POST', pathAndQuery: '/items/tickets?fields=id', body: '{"subject":"x"}', timestamp };
  const signed = (overrides: Partial<typeof request> = {}, signature = sign(secret, request)) =>
    verifySignature(secret, { ...request, ...overrides, signature }, now);

  it('derives the signing secret from SECRET and the key id alone', () => {
    expect(signingSecret('x'.repeat(32), 'a')).toBe(signingSecret('x'.repeat(32), 'a'));
    expect(signingSecret('x'.repeat(32), 'a')).not.toBe(signingSecret('x'.repeat(32), 'b'));
    expect(signingSecret('y'.repeat(32), 'a')).not.toBe(signingSecret('x'.repeat(32), 'a'));
  });

  it('accepts a valid signature, among several v1 values', () => {
    expect(signed()).toEqual({ ok: true, digest: sign(secret, request).slice(3) });
    expect(signed({}, `v1=${'0'.repeat(64)}, ${sign(secret, request)}`).ok).toBe(true);
  });

  it('refuses tampered method, path, query, body and timestamp', () => {
    expect(signed({ method: 'PATCH' })).toEqual({ ok: false, reason: 'signature_bad' });
    expect(signed({ pathAndQuery: '/items/tickets?fields=*' })).toEqual({ ok: false, reason: 'signature_bad' });
    expect(signed({ body: '{"subject":"y"}' })).toEqual({ ok: false, reason: 'signature_bad' });
    expect(signed({ timestamp: String(now / 1000 + 1) })).toEqual({ ok: false, reason: 'signature_bad' });
    expect(verifySignature('other', { ...request, signature: sign(secret, request) }, now).ok).toBe(false);
  });

  it('refuses missing, malformed and stale signatures', () => {
    expect(verifySignature(secret, { ...request, timestamp: undefined, signature: undefined }, now)).toEqual({
      ok: false,
      reason: 'signature_missing',
    });
    expect(verifySignature(secret, { ...request, signature: undefined }, now).ok).toBe(false);
    expect(signed({}, 'v1=abc')).toEqual({ ok: false, reason: 'signature_malformed' });
    expect(signed({}, 'v0=' + '0'.repeat(64))).toEqual({ ok: false, reason: 'signature_malformed' });
    expect(signed({ timestamp: 'soon' })).toEqual({ ok: false, reason: 'signature_malformed' });
    const at = (offsetMs: number) => {
      const stamp = String((now + offsetMs) / 1000);
      return verifySignature(
        secret,
        { ...request, timestamp: stamp, signature: sign(secret, { ...request, timestamp: stamp }) },
        now,
      );
    };
    expect(at(-SIGNATURE_WINDOW_MS).ok).toBe(true);
    expect(at(SIGNATURE_WINDOW_MS).ok).toBe(true);
    expect(at(-SIGNATURE_WINDOW_MS - 1000)).toEqual({ ok: false, reason: 'signature_stale' });
    expect(at(SIGNATURE_WINDOW_MS + 1000)).toEqual({ ok: false, reason: 'signature_stale' });
  });
});

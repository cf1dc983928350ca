import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.js';

const position = { mode: 'typo' as const, score: 60792, collection: 'tickets', id: 'a3c1' };

describe('search cursor', () => {
  it('round-trips a position for the same query', () => {
    const fingerprint = queryFingerprint('printer jam', ['tickets', 'kb_articles']);
    expect(decodeCursor(encodeCursor(position, fingerprint), fingerprint)).toEqual({ ok: true, position });
  });

  it('is bound to the query and the collections (in any order)', () => {
    const cursor = encodeCursor(position, queryFingerprint('printer', ['a', 'b']));
    expect(decodeCursor(cursor, queryFingerprint('printer', ['b', 'a'])).ok).toBe(true);
    expect(decodeCursor(cursor, queryFingerprint('printers', ['a', 'b']))).toEqual({
      ok: false,
      reason: 'the cursor belongs to another query',
    });
    expect(decodeCursor(cursor, queryFingerprint('printer', ['a'])).ok).toBe(false);
  });

  it('refuses anything it did not make', () => {
    const fingerprint = queryFingerprint('q', []);
    const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const good = { v: 1, m: 'e', s: 5, c: 'tickets', i: 'x', f: fingerprint };
    expect(decodeCursor(forge(good), fingerprint).ok).toBe(true);
    for (const bad of [
      'not a cursor',
      '',
      'x'.repeat(600),
      Buffer.from('{').toString('base64url'),
      forge(null),
      forge({ ...good, v: 2 }),
      forge({ ...good, m: 'x' }),
      forge({ ...good, s: 1.5 }),
      forge({ ...good, s: '5' }),
      forge({ ...good, c: 7 }),
      forge({ ...good, i: 'x'.repeat(129) }),
    ]) {
      expect(decodeCursor(bad, fingerprint).ok).toBe(false);
    }
  });
});

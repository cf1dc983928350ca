import { describe, expect, it } from '@jest/globals';
import { decodeText } from './decode.js';

const bytes = (...parts: Array<number[] | string>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeText(bytes('name\nZoë'))).toEqual({ ok: true, text: 'name\nZoë', encoding: 'utf-8' });
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], 'a,b'))).toEqual({ ok: true, text: 'a,b', encoding: 'utf-8' });
  });

  it('reads UTF-16 by its BOM, little and big endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,é', 'utf16le')]);
    expect(decodeText(le)).toEqual({ ok: true, text: 'a,é', encoding: 'utf-16le' });
    const be = Buffer.from(Buffer.from('a,é', 'utf16le')).swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({
      ok: true,
      text: 'a,é',
      encoding: 'utf-16be',
    });
    expect(decodeText(Buffer.from([0x00, 0x61, 0x00]), 'utf-16be')).toMatchObject({ ok: false });
  });

  it('falls back to Latin-1 when the bytes are not UTF-8, and refuses them when UTF-8 was chosen', () => {
    const latin = Buffer.from('Zoë,Müller', 'latin1');
    expect(decodeText(latin)).toEqual({ ok: true, text: 'Zoë,Müller', encoding: 'latin1' });
    expect(decodeText(latin, 'latin1')).toMatchObject({ ok: true, text: 'Zoë,Müller' });
    expect(decodeText(latin, 'utf-8')).toEqual({ ok: false, reason: 'The file is not valid utf-8.' });
  });

  it('refuses a BOM that contradicts the chosen encoding, and NUL bytes', () => {
    expect(decodeText(bytes([0xff, 0xfe], 'x'), 'utf-8')).toMatchObject({ ok: false });
    expect(decodeText(Buffer.from('a,b', 'utf16le'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/NUL/),
    });
  });
});

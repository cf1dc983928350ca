import { describe, expect, it } from '@jest/globals';
import { dataExceptionOf, urlHasNulByte } from './data-exception.js';

describe('dataExceptionOf', () => {
  it.each([
    ['22P02', 'select', 'query', /not valid for the type/],
    ['22007', 'select', 'query', /date or time/],
    ['22008', 'first', 'query', /date or time value is out of range/],
    ['22003', 'select', 'query', /number is out of range/],
    ['22021', 'select', 'query', /NUL byte/],
    ['2201B', 'select', 'query', /regular expression/],
    ['22P02', 'insert', 'payload', /not valid for the type/],
    ['22007', 'update', 'payload', /date or time/],
    ['22021', 'del', 'query', /NUL byte/],
    ['22ZZZ', undefined, 'query', /^A value is not valid for its field$/],
    ['42883', 'select', 'query', /grouped, sorted or compared/],
  ])('maps %s on %s to a %s error', (code, method, part, reason) => {
    const mapped = dataExceptionOf(code, method);
    expect(mapped?.part).toBe(part);
    expect(mapped?.reason).toMatch(reason);
  });

  it.each([['22001'], ['22003']])('leaves %s on a write to Directus, which names the field', (code) => {
    expect(dataExceptionOf(code, 'insert')).toBeNull();
    expect(dataExceptionOf(code, 'update')).toBeNull();
    expect(dataExceptionOf(code, 'select')).not.toBeNull();
  });

  it('leaves 42883 on a write alone (not something the caller chose)', () => {
    expect(dataExceptionOf('42883', 'insert')).toBeNull();
    expect(dataExceptionOf('42883', 'update')).toBeNull();
  });

  it.each([['23505'], ['42P01'], ['GW409'], ['P0001'], [undefined], [22], ['22'], ['22P02x']])(
    'ignores %p (not a data exception)',
    (code) => {
      expect(dataExceptionOf(code, 'select')).toBeNull();
    },
  );
});

describe('urlHasNulByte', () => {
  it('finds encoded and raw NUL bytes in any case', () => {
    expect(urlHasNulByte('/items/tickets?search=a%00b')).toBe(true);
    expect(urlHasNulByte('/items/tickets?search=%00')).toBe(true);
    expect(urlHasNulByte('/x?y=\u0000')).toBe(true);
  });
  it('accepts ordinary URLs, %000-like digits after other escapes included', () => {
    expect(urlHasNulByte('/items/tickets?search=100%25&filter[a][_eq]=%20')).toBe(false);
    expect(urlHasNulByte('/items/tickets/0000')).toBe(false);
  });
});

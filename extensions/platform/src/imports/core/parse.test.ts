import { describe, expect, it } from '@jest/globals';
import { formatOf, parseTable, sniffDelimiter } from './parse.js';

const limits = { maxColumns: 5, maxRows: 3 };

describe('parseTable: CSV', () => {
  it('sniffs the delimiter outside quotes', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(sniffDelimiter('"x,y";b\n')).toBe(';');
    expect(sniffDelimiter('a\tb\n')).toBe('\t');
    expect(sniffDelimiter('single\n')).toBe(',');
  });

  it('reads quoted fields with delimiters, quotes and newlines', () => {
    const parsed = parseTable('subject,description\n"Hi, there","say ""x""\nline two"\n', 'csv', limits);
    expect(parsed).toEqual({
      ok: true,
      delimiter: ',',
      table: {
        columns: ['subject', 'description'],
        rows: [{ subject: 'Hi, there', description: 'say "x"\nline two' }],
      },
    });
  });

  it('uses a given delimiter and trims headers', () => {
    const parsed = parseTable(' a |b\n1|2\n', 'csv', limits, '|');
    expect(parsed).toMatchObject({ ok: true, table: { columns: ['a', 'b'], rows: [{ a: '1', b: '2' }] } });
  });

  it.each([
    ['', /empty/],
    ['   \n', /empty/],
    ['a,b\n', /no data rows/],
    ['a,a\n1,2\n', /"a" appears more than once/],
    ['a,,b\n1,2,3\n', /Column 2 has an empty header/],
    ['a,b\n"1,2\n', /cannot be read/],
    ['a,b\n1,2,3\n', /cannot be read/],
    ['a,b,c,d,e,f\n1,2,3,4,5,6\n', /6 columns; at most 5/],
    ['a\n1\n2\n3\n4\n', /4 rows; at most 3/],
  ])('refuses %j', (text, reason) => {
    const parsed = parseTable(text, 'csv', limits);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('refuses 100k columns from the header line alone', () => {
    const header = Array.from({ length: 100000 }, (_, i) => `c${i}`).join(',');
    const parsed = parseTable(`${header}\n`, 'csv', { maxColumns: 1000, maxRows: 10 });
    expect(parsed).toEqual({ ok: false, reason: 'The file has 100000 columns; at most 1000 are accepted.' });
  });
});

describe('parseTable: JSON and NDJSON', () => {
  it('reads an array of objects, columns in first-seen order', () => {
    expect(parseTable('[{"a":1},{"b":true,"a":2}]', 'json', limits)).toEqual({
      ok: true,
      table: { columns: ['a', 'b'], rows: [{ a: 1 }, { b: true, a: 2 }] },
    });
  });

  it('reads NDJSON, skipping blank lines', () => {
    expect(parseTable('{"a":1}\r\n\n{"a":2}\n', 'ndjson', limits)).toMatchObject({
      ok: true,
      table: { columns: ['a'], rows: [{ a: 1 }, { a: 2 }] },
    });
  });

  it.each([
    ['json', '{"a":1}', /array of objects/],
    ['json', '[1]', /Record 1 is not an object/],
    ['json', '[]', /no records/],
    ['json', '[{"a":1}', /cannot be read/],
    ['json', '[{"a":1},{"a":1},{"a":1},{"a":1}]', /4 rows/],
    ['json', '[{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}]', /more than 5 distinct keys/],
    ['json', '[{"":1}]', /empty header/],
    ['ndjson', '{"a":1}\nnope\n', /Line 2 is not JSON/],
    ['ndjson', '{"a":1}\n{"a":1}\n{"a":1}\n{"a":1}\n', /more than 3 rows/],
  ] as Array<['json' | 'ndjson', string, RegExp]>)('%s refuses %j', (format, text, reason) => {
    const parsed = parseTable(text, format, limits);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('formatOf', () => {
  it('prefers the named format, then the extension, then the content type', () => {
    expect(formatOf('json', 'x.csv', 'text/csv')).toBe('json');
    expect(formatOf(undefined, 'X.NDJSON', '')).toBe('ndjson');
    expect(formatOf(undefined, 'a.jsonl', '')).toBe('ndjson');
    expect(formatOf(undefined, 'a', 'application/x-ndjson')).toBe('ndjson');
    expect(formatOf(undefined, 'a.json', '')).toBe('json');
    expect(formatOf(undefined, 'a', 'application/json')).toBe('json');
    expect(formatOf(undefined, 'a.txt', 'text/plain')).toBe('csv');
  });
});

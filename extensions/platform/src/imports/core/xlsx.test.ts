import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { formatOf } from './parse.js';
import { bombReason, cellText, MAX_RATIO, parseWorkbook, zipEntries } from './xlsx.js';

const limits = { maxColumns: 5, maxRows: 3 };

async function workbook(sheets: Record<string, unknown[][]>): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** A zip of nothing but a central directory declaring the given entries (enough for the pre-check). */
function declaredZip(entries: Array<{ name: string; packed: number; unpacked: number }>): Uint8Array {
  const parts = entries.map(({ name, packed, unpacked }) => {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt32LE(packed, 20);
    header.writeUInt32LE(unpacked, 24);
    header.writeUInt16LE(Buffer.byteLength(name), 28);
    return Buffer.concat([header, Buffer.from(name)]);
  });
  const directory = Buffer.concat(parts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(0, 16);
  return new Uint8Array(Buffer.concat([directory, end]));
}

describe('parseWorkbook', () => {
  it('reads the first sheet as CSV text: numbers, booleans, dates, formulas, rich text, links', async () => {
    const bytes = await workbook({
      Tickets: [
        ['subject', ' priority ', 'due', 'at', 'open'],
        ['Printer', 3, new Date(Date.UTC(2026, 0, 5)), new Date(Date.UTC(2026, 0, 5, 9, 30)), true],
        [],
        [
          { richText: [{ text: 'Rich ' }, { text: 'text' }] },
          { formula: '1+1', result: 2 },
          null,
          { text: 'a link', hyperlink: 'https://example.com' },
          false,
        ],
      ],
      Other: [['x'], ['1']],
    });
    const parsed = await parseWorkbook(bytes, limits);
    expect(parsed).toEqual({
      ok: true,
      table: {
        columns: ['subject', 'priority', 'due', 'at', 'open'],
        rows: [
          { subject: 'Printer', priority: '3', due: '2026-01-05', at: '2026-01-05T09:30:00.000Z', open: 'true' },
          { subject: 'Rich text', priority: '2', due: '', at: 'a link', open: 'false' },
        ],
      },
    });
  });

  it('reads a named sheet, and names the sheets when the one asked for is missing', async () => {
    const bytes = await workbook({ First: [['a'], ['1']], Second: [['b'], ['2']] });
    expect(await parseWorkbook(bytes, limits, 'Second')).toEqual({
      ok: true,
      table: { columns: ['b'], rows: [{ b: '2' }] },
    });
    expect(await parseWorkbook(bytes, limits, 'Third')).toEqual({
      ok: false,
      reason: 'The workbook has no sheet named "Third"; it has: First, Second.',
    });
  });

  it('reads any sheet of a workbook of many small sheets, whole, every time, and never ends the process', async () => {
    // Two faults of exceljs 4.4.0's streaming reader, both seen here (xlsx.ts says more): a sheet handed out and left
    // unread had its temp file removed while still opening (an unhandled ENOENT that ended the Directus process in
    // CI), and a workbook of many small sheets lost its last zip entries in most reads (a 400, or shared strings
    // missing). Twenty rounds of three reads of a five-sheet workbook: every one whole and right.
    const sheets = Object.fromEntries(
      ['A', 'B', 'C', 'D', 'E'].map((name) => [name, [[name.toLowerCase()], ['1'], ['2']]]),
    );
    const bytes = await workbook(sheets);
    const crashes: unknown[] = [];
    const onError = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onError);
    try {
      for (let round = 0; round < 20; round += 1) {
        for (const [name, header] of [
          [undefined, 'a'],
          ['C', 'c'],
          ['E', 'e'],
        ] as const) {
          expect(await parseWorkbook(bytes, limits, name)).toEqual({
            ok: true,
            table: { columns: [header], rows: [{ [header]: '1' }, { [header]: '2' }] },
          });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(crashes).toEqual([]);
  }, 60_000);

  it('holds the other sheets to the row limit too (they cost the same to read)', async () => {
    const bytes = await workbook({ Big: [['x'], ['1'], ['2'], ['3'], ['4']], Asked: [['y'], ['1']] });
    expect(await parseWorkbook(bytes, limits, 'Asked')).toEqual({
      ok: false,
      reason: 'The sheet "Big" has more than 3 rows; at most that many are accepted in any sheet.',
    });
  });

  it.each([
    [
      'duplicate headers',
      {
        S: [
          ['a', 'a'],
          ['1', '2'],
        ],
      },
      /"a" appears more than once/,
    ],
    ['too many columns', { S: [['a', 'b', 'c', 'd', 'e', 'f'], [1]] }, /6 columns; at most 5/],
    ['too many rows', { S: [['a'], [1], [2], [3], [4]] }, /more than 3 rows/],
    [
      'a value beyond the header',
      {
        S: [
          ['a', 'b'],
          [1, 2, 3],
        ],
      },
      /Row 1 has a value beyond/,
    ],
    ['a header only', { S: [['a', 'b']] }, /header but no data rows/],
    ['an empty sheet', { S: [] }, /The sheet "S" is empty/],
    [
      'an empty header cell',
      {
        S: [
          ['a', null, 'c'],
          [1, 2, 3],
        ],
      },
      /Column 2 has an empty header/,
    ],
  ])('refuses %s', async (_name, sheets, reason) => {
    const parsed = await parseWorkbook(await workbook(sheets as Record<string, unknown[][]>), limits);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });

  it('refuses what is not a workbook before reading any XML', async () => {
    expect(await parseWorkbook(new Uint8Array(), limits)).toEqual({ ok: false, reason: 'The file is empty.' });
    expect(await parseWorkbook(new TextEncoder().encode('subject\nhello\n'), limits)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an XLSX workbook/),
    });
    // A zip directory whose entries hold no readable data.
    const broken = declaredZip([{ name: 'xl/workbook.xml', packed: 10, unpacked: 20 }]);
    expect(await parseWorkbook(broken, limits)).toMatchObject({ ok: false });
  });

  it('refuses a zip bomb by its declared sizes', async () => {
    const bomb = declaredZip([{ name: 'xl/worksheets/sheet1.xml', packed: 100_000, unpacked: 3_000_000_000 }]);
    expect(await parseWorkbook(bomb, limits)).toEqual({
      ok: false,
      reason: expect.stringMatching(/sheet1\.xml unpacks 30000 times its size; at most 200/),
    });
  });
});

describe('zip pre-check', () => {
  it('lists the entries of a real workbook', async () => {
    const listed = zipEntries(await workbook({ S: [['a'], [1]] }));
    expect(listed.ok).toBe(true);
    expect(listed.ok && listed.entries.map((entry) => entry.name)).toContain('xl/workbook.xml');
  });

  it('refuses ZIP64 and broken directories', () => {
    expect(zipEntries(declaredZip([{ name: 'a', packed: 0xffffffff, unpacked: 1 }]))).toEqual({
      ok: false,
      reason: 'ZIP64 workbooks are not accepted.',
    });
    const truncated = declaredZip([{ name: 'a', packed: 1, unpacked: 1 }]).slice(10);
    expect(zipEntries(truncated).ok).toBe(false);
  });

  it('accepts normal packing, refuses extreme ratios and too much in all', () => {
    expect(bombReason([{ name: 'a', packed: 100_000, unpacked: 2_000_000 }])).toBeNull();
    expect(bombReason([{ name: 'tiny', packed: 10, unpacked: 500_000 }])).toBeNull();
    expect(bombReason([{ name: 'a', packed: 10_000, unpacked: 10_000 * (MAX_RATIO + 1) }])).toMatch(/times its size/);
    const many = Array.from({ length: 30 }, (_, index) => ({ name: `p${index}`, packed: 1e6, unpacked: 1e7 }));
    expect(bombReason(many)).toMatch(/unpacks to 286 MiB; at most 256 MiB/);
  });
});

describe('cellText', () => {
  it('gives formulas their stored result and errors their code', () => {
    expect(cellText({ formula: 'NOW()' })).toBe('');
    expect(cellText({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText({})).toBe('');
    expect(cellText(new Date(Number.NaN))).toBe('');
  });
});

describe('formatOf: XLSX', () => {
  it('by extension, content type or the zip magic', () => {
    expect(formatOf(undefined, 'tickets.XLSX', '')).toBe('xlsx');
    expect(formatOf(undefined, '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(formatOf(undefined, '', 'application/octet-stream', new Uint8Array([0x50, 0x4b, 3, 4]))).toBe('xlsx');
    expect(formatOf(undefined, '', 'application/octet-stream', new Uint8Array([0x61, 0x2c]))).toBe('csv');
  });
});

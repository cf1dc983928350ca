import { describe, expect, it } from '@jest/globals';
import { stringify } from 'csv-stringify/sync';
import {
  cellText,
  columnsOf,
  exportColumns,
  csvField,
  csvHeader,
  csvRecords,
  neutraliseFormula,
  rowCells,
  valueAt,
} from './cells.js';

describe('neutraliseFormula', () => {
  it.each(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")'])('prefixes %j', (text) => {
    expect(neutraliseFormula(text)).toBe(`'${text}`);
  });
  it.each(['', 'plain', '1-2', "'quoted", ' =x', 'a=b'])('leaves %j', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });
});

describe('cellText', () => {
  it('writes empty for null and undefined', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(undefined)).toBe('');
  });
  it('writes numbers, booleans, dates and JSON', () => {
    expect(cellText(42)).toBe('42');
    expect(cellText(-3)).toBe("'-3");
    expect(cellText(true)).toBe('true');
    expect(cellText(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(cellText(['a', 'b'])).toBe('["a","b"]');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });
});

describe('columnsOf and rowCells', () => {
  const rows = [
    { id: 1, subject: 'a', organization: null, tags: [1, 2] },
    { id: 2, subject: '=cmd', organization: { name: 'Acme', sla: { name: 'Gold' } }, requester: {} },
  ];
  it('walks nested objects into dotted columns, in order of appearance', () => {
    expect(columnsOf(rows)).toEqual([
      'id',
      'subject',
      'organization',
      'tags',
      'organization.name',
      'organization.sla.name',
      'requester',
    ]);
  });
  it('reads a path, undefined across a null relation', () => {
    expect(valueAt(rows[1]!, 'organization.sla.name')).toBe('Gold');
    expect(valueAt(rows[0]!, 'organization.name')).toBeUndefined();
  });
  it('gives the cells of given columns, neutralised', () => {
    expect(rowCells(rows[1]!, ['id', 'subject', 'organization.name', 'tags'])).toEqual(['2', "'=cmd", 'Acme', '']);
    expect(rowCells(rows[0]!, ['organization.name', 'tags'])).toEqual(['', '[1,2]']);
  });
});

describe('exportColumns', () => {
  it('puts the fields of a relation null in an earlier row where the relation stood, without its own column', () => {
    const rows = [
      { id: 1, assignee: null, status: 'open' },
      { id: 2, assignee: { email: 'a@x.test', name: 'A' }, status: 'new' },
    ];
    expect(exportColumns(rows, ['id', 'assignee.email', 'assignee.name', 'status'])).toEqual([
      'id',
      'assignee.email',
      'assignee.name',
      'status',
    ]);
  });
  it('keeps the requested fields of a relation null in every row of the first page', () => {
    const rows = [{ id: 1, assignee: null, status: 'open' }];
    expect(exportColumns(rows, ['id', 'assignee.email', 'status'])).toEqual(['id', 'assignee.email', 'status']);
  });
  it('walks deeper relations and keeps a plain requested field whose value is null', () => {
    const rows = [
      { id: 1, organization: { sla: null }, assignee: null },
      { id: 2, organization: { sla: { name: 'Gold' } }, assignee: null },
    ];
    expect(exportColumns(rows, ['id', 'organization.sla.name', 'assignee'])).toEqual([
      'id',
      'organization.sla.name',
      'assignee',
    ]);
  });
  it('expands wildcards from the rows, and answers the plain requested fields when there is no row', () => {
    expect(exportColumns([{ id: 1, subject: 's' }], ['*'])).toEqual(['id', 'subject']);
    expect(exportColumns([], ['*', 'id', 'organization.name'])).toEqual(['id', 'organization.name']);
  });
});

describe('CSV text', () => {
  const awkward = [
    '',
    'plain',
    'a,b',
    'say "hi"',
    '"',
    'line\nbreak',
    'cr\rhere',
    'crlf\r\n',
    ' padded ',
    "'=x",
    'ünï, cödé',
  ];
  it.each(awkward)('writes %j as csv-stringify does', (text) => {
    expect(csvField(text)).toBe(stringify([[text]]).slice(0, -1));
  });
  it('writes header and records byte for byte as csv-stringify with header and columns (the former writer)', () => {
    const rows = [
      { id: 1, subject: 'a, "quoted"\nsubject', organization: null, tags: [1, 2] },
      { id: 2, subject: '=cmd', organization: { name: 'Acme, Inc.', sla: { name: 'Gold' } }, tags: ['x,y'] },
      { id: 3, subject: '', organization: { name: null, sla: null }, tags: null },
    ];
    const columns = ['id', 'subject', 'organization.name', 'organization.sla.name', 'tags', 'we,ird"column'];
    const expected = stringify(
      rows.map((row) => rowCells(row, columns)),
      { header: true, columns },
    );
    expect(csvHeader(columns) + csvRecords(rows, columns)).toBe(expected);
  });
  it('writes the header alone for no rows, as csv-stringify does', () => {
    expect(csvHeader(['id', 'a,b']) + csvRecords([], ['id', 'a,b'])).toBe(
      stringify([], { header: true, columns: ['id', 'a,b'] }),
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { importOptions, runFingerprint } from './contract.js';
import { reportCsv, sortErrors, type ImportReport } from './report.js';

const report = (errors: ImportReport['errors']): ImportReport => ({
  collection: 'tickets',
  mode: 'insert',
  dry_run: true,
  written: false,
  replayed: false,
  checksum: 'x',
  counts: { rows: 2, insert: 0, update: 0, skip: 0, errors: errors.length },
  errors,
});

describe('report', () => {
  it('sorts errors by row then field', () => {
    expect(
      sortErrors([
        { row: 2, field: 'b', code: 'X', message: '' },
        { row: 1, field: null, code: 'X', message: '' },
        { row: 2, field: 'a', code: 'X', message: '' },
      ]).map((error) => `${error.row}${error.field ?? ''}`),
    ).toEqual(['1', '2a', '2b']);
  });

  it('writes CSV with quoting and formula cells neutralised', () => {
    expect(
      reportCsv(
        report([
          { row: 1, field: 'subject', code: 'INVALID_TYPE', message: 'says "hi", then' },
          { row: 2, field: null, code: 'X', message: '=HYPERLINK("x")' },
        ]),
      ),
    ).toBe('row,field,code,message\r\n1,subject,INVALID_TYPE,"says ""hi"", then"\r\n2,,X,"\'=HYPERLINK(""x"")"\r\n');
  });
});

describe('importOptions', () => {
  it('parses defaults, lists, flags and JSON maps', () => {
    expect(importOptions.parse({})).toEqual({ mode: 'insert', dry_run: false, background: false, notify: false });
    expect(
      importOptions.parse({
        mode: 'upsert',
        match: 'number,organization',
        mapping: '{"Title":"subject","x":""}',
        relations: '{"organization":"domain"}',
        dry_run: 'true',
        notify: '1',
        delimiter: 'tab',
      }),
    ).toEqual({
      mode: 'upsert',
      match: ['number', 'organization'],
      mapping: { Title: 'subject', x: '' },
      relations: { organization: 'domain' },
      dry_run: true,
      delimiter: '\t',
      background: false,
      notify: true,
    });
  });

  it.each([
    { mode: 'merge' },
    { match: 'a;b' },
    { mapping: 'nope' },
    { mapping: '[1]' },
    { mapping: '{"a":"bad name"}' },
    { relations: '{"organization":""}' },
    { dry_run: 'maybe' },
    { extra: '1' },
  ])('refuses %j', (input) => {
    expect(importOptions.safeParse(input).success).toBe(false);
  });

  it('fingerprints the run without the report format, dry run, background or notify, independent of key order', () => {
    const a = importOptions.parse({ mode: 'upsert', match: 'number', report: 'csv' });
    const b = importOptions.parse({
      match: 'number',
      mode: 'upsert',
      dry_run: 'true',
      background: 'true',
      notify: 'true',
    });
    expect(runFingerprint('tickets', 'abc', a)).toBe(runFingerprint('tickets', 'abc', b));
    expect(runFingerprint('tickets', 'abd', a)).not.toBe(runFingerprint('tickets', 'abc', a));
  });
});

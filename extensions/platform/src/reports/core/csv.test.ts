import { describe, expect, it } from '@jest/globals';
import { neutraliseFormula as neutralise } from '../../shared/spreadsheet.js';
import { reportCsv, reportTable } from './csv.js';

describe('report csv', () => {
  it('writes a header and one line per row, empty for null, numbers as numbers', () => {
    expect(
      reportCsv([
        { period: '2026-12-01', status: 'open', tickets: 3, average: null },
        { period: '2026-12-02', tickets: -1 },
      ]),
    ).toBe('period,status,tickets,average\n2026-12-01,open,3,\n2026-12-02,,-1,\n');
  });
  it('neutralises cells a spreadsheet would run as a formula, and quotes separators', () => {
    expect(reportCsv([{ name: '=HYPERLINK("http://x")', other: '+1', at: '@SUM(A1)', minus: '-2', ok: 'a,b' }])).toBe(
      `name,other,at,minus,ok\n"'=HYPERLINK(""http://x"")",'+1,'@SUM(A1),'-2,"a,b"\n`,
    );
    expect(neutralise('\tx')).toBe("'\tx");
    expect(neutralise('plain')).toBe('plain');
  });
  it('writes nothing but an empty line for no rows', () => {
    expect(reportCsv([])).toBe('\n');
  });
});

describe('report table (the XLSX cells)', () => {
  it('keeps numbers as numbers and null as an empty cell, and neutralises text and headers', () => {
    expect(reportTable([{ period: '2026-12-01', '=x': '-1', tickets: 3, average: null }])).toEqual({
      header: ['period', "'=x", 'tickets', 'average'],
      records: [['2026-12-01', "'-1", 3, null]],
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { attachmentHeader, exportFileName } from './filename.js';

describe('exportFileName', () => {
  const now = new Date('2026-12-03T09:18:28.123Z');
  it('names the collection and the time, without colons', () => {
    expect(exportFileName('tickets', 'csv', now)).toBe('tickets-2026-12-03T091828Z.csv');
  });
  it('replaces anything outside a safe set', () => {
    expect(exportFileName('../a b"c', 'xlsx', now)).toBe('_a_b_c-2026-12-03T091828Z.xlsx');
    expect(exportFileName('', 'json', now)).toBe('export-2026-12-03T091828Z.json');
  });
  it('quotes the name in an attachment header', () => {
    expect(attachmentHeader('x.csv')).toBe('attachment; filename="x.csv"');
    expect(attachmentHeader('a"b\\.csv')).toBe('attachment; filename="a_b_.csv"');
  });
});

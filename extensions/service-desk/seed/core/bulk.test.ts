import { describe, expect, it } from '@jest/globals';
import { batches, parseTicketCount, progressLine, rowsPerSecond } from './bulk.js';

describe('bulk tickets', () => {
  it('splits a total into batches that cover every row once', () => {
    expect(batches(12, 5)).toEqual([
      [1, 5],
      [6, 10],
      [11, 12],
    ]);
    expect(batches(0, 5)).toEqual([]);
    expect(() => batches(-1, 5)).toThrow('--tickets');
  });

  it('reports rows per second and progress', () => {
    expect(rowsPerSecond(10_000, 2000)).toBe(5000);
    expect(rowsPerSecond(1, 0)).toBe(0);
    expect(progressLine(25_000, 100_000, 5000)).toBe('25,000 / 100,000 tickets (25%), 5,000 tickets/s');
  });

  it('parses --tickets', () => {
    expect(parseTicketCount(undefined)).toBe(0);
    expect(parseTicketCount('1_000_000')).toBe(1_000_000);
    expect(parseTicketCount('100,000')).toBe(100_000);
    expect(() => parseTicketCount('lots')).toThrow('whole number');
  });
});

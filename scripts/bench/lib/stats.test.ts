import { describe, expect, it } from '@jest/globals';
import { formatTable, percentile } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });

  it('does not depend on the order of samples', () => {
    expect(percentile([9, 1, 5, 3, 7], 60)).toBe(5);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 95)).toBeNaN();
  });
});

describe('formatTable', () => {
  it('pads a Markdown table', () => {
    expect(
      formatTable(
        ['route', 'req/s'],
        [
          ['/a', 1200],
          ['/long', 3],
        ],
      ),
    ).toBe(['| route | req/s |', '|-------|-------|', '| /a    | 1200  |', '| /long | 3     |'].join('\n'));
  });
});

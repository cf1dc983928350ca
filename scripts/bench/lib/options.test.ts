import { describe, expect, it } from '@jest/globals';
import { readBenchOptions, wholeNumber } from './options.js';

const sizes = { duration: { full: '10', smoke: '1' }, rounds: { full: '8', smoke: '1' } };

describe('readBenchOptions', () => {
  it('uses the full sizes without --smoke', () => {
    expect(readBenchOptions(sizes, [])).toEqual({ smoke: false, values: { duration: '10', rounds: '8' } });
  });

  it('uses the smoke sizes with --smoke', () => {
    expect(readBenchOptions(sizes, ['--smoke'])).toEqual({ smoke: true, values: { duration: '1', rounds: '1' } });
  });

  it('lets an explicit option win over either default', () => {
    expect(readBenchOptions(sizes, ['--smoke', '--rounds', '3']).values).toEqual({ duration: '1', rounds: '3' });
    expect(readBenchOptions(sizes, ['--duration', '2']).values).toEqual({ duration: '2', rounds: '8' });
  });

  it('refuses an option the bench does not have', () => {
    expect(() => readBenchOptions(sizes, ['--pool', '5'])).toThrow(/pool/);
  });
});

describe('wholeNumber', () => {
  it('accepts whole numbers from the minimum up and names the option otherwise', () => {
    expect(wholeNumber('rounds', '3')).toBe(3);
    expect(wholeNumber('samples', '0', 0)).toBe(0);
    expect(() => wholeNumber('rounds', '0')).toThrow('--rounds');
    expect(() => wholeNumber('rounds', '1.5')).toThrow('--rounds');
    expect(() => wholeNumber('rounds', 'x')).toThrow('--rounds');
  });
});

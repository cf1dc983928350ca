import { describe, expect, it } from '@jest/globals';
import { nestsDeeperThan } from './depth.js';

const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown;

describe('nestsDeeperThan', () => {
  it('lets ordinary bodies and filters through', () => {
    expect(nestsDeeperThan({ _and: [{ status: { _eq: 'open' } }, { organization: { name: { _eq: 'x' } } }] })).toBe(
      false,
    );
    expect(nestsDeeperThan('text')).toBe(false);
    expect(nestsDeeperThan(nested(64))).toBe(false);
  });

  it('refuses 65 levels and more without overflowing itself', () => {
    expect(nestsDeeperThan(nested(65))).toBe(true);
    expect(nestsDeeperThan(nested(100_000))).toBe(true);
  });
});

import { describe, expect, it } from '@jest/globals';
import { seededRandom, stableUuid, weightedList } from './random.js';

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('picks integers in range and keys by weight', () => {
    const random = seededRandom(7);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i += 1) {
      const value = random.int(3, 5);
      expect(value >= 3 && value <= 5).toBe(true);
      counts[random.weighted({ a: 9, b: 1 })] += 1;
    }
    expect(counts.a / 10_000).toBeGreaterThan(0.87);
    expect(counts.a / 10_000).toBeLessThan(0.93);
  });
});

describe('stableUuid', () => {
  it('is a valid uuid, the same for the same name, different for another', () => {
    const id = stableUuid('organization:acme');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('organization:acme')).toBe(id);
    expect(stableUuid('organization:globex')).not.toBe(id);
  });
});

describe('weightedList', () => {
  it('repeats keys in proportion to their weights', () => {
    const list = weightedList({ a: 50, b: 30, c: 20 });
    expect(list).toHaveLength(100);
    expect(list.filter((key) => key === 'b')).toHaveLength(30);
    expect(weightedList({ x: 1, y: 2 }, 3)).toEqual(['x', 'y', 'y']);
  });
});

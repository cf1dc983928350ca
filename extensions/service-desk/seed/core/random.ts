// Deterministic randomness for demo data: a seeded PRNG (mulberry32) and name-derived uuids. No Math.random, so
// the same seed gives the same rows on every machine.
import { createHash } from 'node:crypto';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string | number>(weights: Readonly<Record<K, number>>): K;
  chance(probability: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (!items.length) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as Array<[string, number]>;
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [key, weight] of entries) {
        roll -= weight;
        if (roll < 0) return key as never;
      }
      return entries.at(-1)![0] as never;
    },
    chance: (probability) => next() < probability,
  };
  return random;
}

/** A uuid (version 5 layout) derived from a name: the same name gives the same id in every database. */
export function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`groundwork-demo:${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A list of `size` keys in proportion to their weights, for picking by index in SQL (bulk tickets). */
export function weightedList<K extends string>(weights: Readonly<Record<K, number>>, size = 100): K[] {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  const list: K[] = [];
  let carried = 0;
  for (const [key, weight] of entries) {
    carried += (weight / total) * size;
    while (list.length < Math.round(carried)) list.push(key);
  }
  return list;
}

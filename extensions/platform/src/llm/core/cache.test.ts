import { describe, expect, it } from '@jest/globals';
import { AnswerCache } from './cache.js';

describe('AnswerCache', () => {
  it('answers a key until it expires', () => {
    const cache = new AnswerCache(1000, 10);
    cache.set('k', { text: 'hi', model: 'm' }, 0);
    expect(cache.get('k', 999)).toEqual({ text: 'hi', model: 'm' });
    expect(cache.get('k', 1000)).toBeNull();
    expect(cache.size).toBe(0);
    expect(cache.get('missing', 0)).toBeNull();
  });
  it('evicts the least recently used beyond its size', () => {
    const cache = new AnswerCache(1000, 2);
    cache.set('a', { text: 'a', model: 'm' }, 0);
    cache.set('b', { text: 'b', model: 'm' }, 0);
    cache.get('a', 1);
    cache.set('c', { text: 'c', model: 'm' }, 2);
    expect(cache.get('b', 3)).toBeNull();
    expect(cache.get('a', 3)).not.toBeNull();
    expect(cache.get('c', 3)).not.toBeNull();
  });
  it('keeps nothing with a zero TTL', () => {
    const cache = new AnswerCache(0, 10);
    cache.set('a', { text: 'a', model: 'm' }, 0);
    expect(cache.size).toBe(0);
  });
});

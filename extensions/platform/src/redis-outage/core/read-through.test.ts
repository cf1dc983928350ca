import { describe, expect, it, jest } from '@jest/globals';
import { isRedisOutageError } from '../../bad-input/core/stray-rejection.js';
import { missOnOutage } from './read-through.js';

function outage(): Error {
  const error = new Error('Reached the max retries per request limit (which is 1).');
  error.name = 'MaxRetriesPerRequestError';
  return error;
}

describe('missOnOutage', () => {
  it('passes hits and misses through', async () => {
    const read = missOnOutage(
      async (key) => (key === 'a' ? 1 : undefined),
      isRedisOutageError,
      () => undefined,
    );
    expect(await read('a')).toBe(1);
    expect(await read('b')).toBeUndefined();
  });

  it('answers a miss, and reports it, when Redis is down', async () => {
    const reported: unknown[] = [];
    const failure = outage();
    const read = missOnOutage(
      () => Promise.reject(failure),
      isRedisOutageError,
      (error) => reported.push(error),
    );
    expect(await read('a')).toBeUndefined();
    expect(reported).toEqual([failure]);
  });

  it('still fails on any other error', async () => {
    const onOutage = jest.fn();
    const read = missOnOutage(() => Promise.reject(new Error('corrupt entry')), isRedisOutageError, onOutage);
    await expect(read('a')).rejects.toThrow('corrupt entry');
    expect(onOutage).not.toHaveBeenCalled();
  });
});

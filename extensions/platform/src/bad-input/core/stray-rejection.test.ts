import { describe, expect, it } from '@jest/globals';
import { isRedisOutageError, isStrayClientError } from './stray-rejection.js';

describe('isStrayClientError', () => {
  it("keeps Directus's client errors (4xx with a code) from stopping the process", () => {
    expect(isStrayClientError({ status: 400, code: 'INVALID_QUERY', message: 'Invalid filter object' })).toBe(true);
    expect(isStrayClientError(Object.assign(new Error('x'), { status: 403, code: 'FORBIDDEN' }))).toBe(true);
  });

  it('leaves everything else to Node (a server fault still stops the process)', () => {
    expect(isStrayClientError(new Error('database gone'))).toBe(false);
    expect(isStrayClientError({ status: 500, code: 'INTERNAL_SERVER_ERROR' })).toBe(false);
    expect(isStrayClientError({ status: 400 })).toBe(false);
    expect(isStrayClientError({ status: '400', code: 'INVALID_QUERY' })).toBe(false);
    expect(isStrayClientError({ status: 400, code: '' })).toBe(false);
    expect(isStrayClientError(null)).toBe(false);
    expect(isStrayClientError('INVALID_QUERY')).toBe(false);
  });
});

describe('isRedisOutageError', () => {
  class MaxRetriesPerRequestError extends Error {
    constructor(limit: number) {
      super(`Reached the max retries per request limit (which is ${limit}). Refer to "maxRetriesPerRequest" option`);
      this.name = 'MaxRetriesPerRequestError';
    }
  }

  it("keeps ioredis's give-up on a command while Redis is down from stopping the process", () => {
    expect(isRedisOutageError(new MaxRetriesPerRequestError(20))).toBe(true);
  });

  it('leaves other errors, look-alikes and non-errors to Node', () => {
    expect(isRedisOutageError(new Error('Reached the max retries per request limit'))).toBe(false);
    expect(isRedisOutageError(Object.assign(new Error('other'), { name: 'MaxRetriesPerRequestError' }))).toBe(false);
    expect(isRedisOutageError({ name: 'MaxRetriesPerRequestError', message: 'max retries per request' })).toBe(false);
    expect(isRedisOutageError(undefined)).toBe(false);
  });
});

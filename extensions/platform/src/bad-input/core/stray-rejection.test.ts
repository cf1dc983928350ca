import { describe, expect, it } from '@jest/globals';
import { isStrayClientError } from './stray-rejection.js';

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

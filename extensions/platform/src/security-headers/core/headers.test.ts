import { describe, expect, it } from '@jest/globals';
import { securityHeaders } from './headers.js';

describe('securityHeaders', () => {
  it('carries nosniff, no referrer, same-origin framing and the given resource policy', () => {
    expect(securityHeaders('same-site')).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'SAMEORIGIN',
      'Cross-Origin-Resource-Policy': 'same-site',
      'X-Permitted-Cross-Domain-Policies': 'none',
    });
    expect(securityHeaders('cross-origin')['Cross-Origin-Resource-Policy']).toBe('cross-origin');
  });
});

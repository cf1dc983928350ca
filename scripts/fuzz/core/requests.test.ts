import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { describeRequest, encode, requestArbitrary, ROLES } from './requests.js';
import type { FuzzTargets } from './targets.js';

const MAIN_ID = '11111111-1111-4111-8111-111111111111';
const targets: FuzzTargets = {
  operations: [
    { method: 'post', path: '/groundwork/v1/users/me/deactivate', parameters: [], mutating: true },
    {
      method: 'post',
      path: '/groundwork/v1/users/{id}/deactivate',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      mutating: true,
    },
    {
      method: 'get',
      path: '/groundwork/v1/jobs',
      parameters: [
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
      ],
      mutating: false,
    },
  ],
  items: [{ collection: 'tickets', base: '/items/tickets', fields: ['id', 'status', 'organization'], relations: {} }],
};
const knownIds = ['22222222-2222-4222-8222-222222222222'];
const sample = fc.sample(requestArbitrary({ targets, knownIds }), { numRuns: 3000, seed: 42 });

describe('requestArbitrary', () => {
  it('sends every change to "me" as the spare account, and everything else as the main one', () => {
    for (const request of sample) {
      const me = request.method !== 'GET' && request.path.startsWith('/groundwork/v1/users/me/');
      expect(request.account).toBe(me ? 'spare' : 'main');
    }
  });

  it('never aims at an id it was not given (the fuzzing accounts are never given)', () => {
    expect(sample.some((request) => request.path.includes(knownIds[0]!))).toBe(true);
    expect(sample.some((request) => request.path.includes(MAIN_ID))).toBe(false);
  });

  it('covers every role, our routes and the item endpoint, with hostile input among them', () => {
    expect(new Set(sample.map((request) => request.role))).toEqual(new Set(ROLES));
    expect(sample.some((request) => request.path.startsWith('/items/tickets'))).toBe(true);
    expect(sample.some((request) => request.path === '/groundwork/v1/jobs')).toBe(true);
    expect(sample.some((request) => request.query.includes('filter='))).toBe(true);
    expect(sample.some((request) => request.query.includes('%00'))).toBe(true);
    expect(sample.some((request) => request.contentType && request.contentType !== 'application/json')).toBe(true);
    expect(sample.some((request) => request.body?.includes('__proto__'))).toBe(true);
  });

  it('builds URLs that are percent-encoded paths and queries', () => {
    for (const request of sample) {
      expect(request.path.startsWith('/')).toBe(true);
      expect(request.query).not.toMatch(/[\s#]/);
    }
  });
});

describe('encode', () => {
  it('sends a lone surrogate as U+FFFD instead of throwing', () => {
    expect(encode('a\ud800')).toBe('a%EF%BF%BD');
  });
});

describe('describeRequest', () => {
  it('is a curl line naming the role and the account', () => {
    const line = describeRequest(
      {
        role: 'agent',
        account: 'spare',
        method: 'POST',
        path: '/x',
        query: 'a=1',
        contentType: 'text/plain',
        body: 'b',
      },
      'http://h',
    );
    expect(line).toBe(
      `[agent (spare account)] curl -X POST 'http://h/x?a=1' -H 'content-type: text/plain' --data-binary "b"`,
    );
  });
});

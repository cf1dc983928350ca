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

describe('documented values', () => {
  // One body with every schema shape the generator reads, and an item endpoint with a relation to follow.
  const body = {
    type: 'object',
    required: ['count', 'kind'],
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 10 },
      ratio: { type: 'number' },
      flag: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string', maxLength: 5 } },
      kind: { enum: ['a', 'b'] },
      either: { oneOf: [{ type: 'boolean' }, { type: 'integer', minimum: 0, maximum: 0 }] },
      owner: { type: 'string', format: 'uuid' },
      when: { type: 'string', format: 'date-time' },
      email: { type: 'string', format: 'email' },
      code: { type: 'string', pattern: '^[A-Z]{3}$' },
      broken: { type: 'string', pattern: '(' },
      name: { type: 'string', minLength: 2, maxLength: 4 },
      extra: { type: 'object' },
      anything: {},
    },
  };
  const shaped: FuzzTargets = {
    operations: [{ method: 'post', path: '/groundwork/v1/things', parameters: [], body, mutating: true }],
    items: [
      {
        collection: 'tickets',
        base: '/items/tickets',
        fields: ['id', 'organization'],
        relations: { organization: 'organizations' },
      },
      { collection: 'organizations', base: '/items/organizations', fields: ['id', 'name'], relations: {} },
    ],
  };
  const requests = fc.sample(requestArbitrary({ targets: shaped, knownIds }), { numRuns: 4000, seed: 7 });
  const bodies = requests
    .filter((request) => request.path === '/groundwork/v1/things' && request.contentType === 'application/json')
    .flatMap((request) => {
      try {
        const parsed = JSON.parse(request.body ?? '') as unknown;
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? [parsed as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
  const some = (check: (value: Record<string, unknown>) => boolean) => bodies.some(check);

  it('follows each documented shape in some bodies', () => {
    expect(some((b) => Number.isInteger(b.count) && (b.count as number) >= 1 && (b.count as number) <= 10)).toBe(true);
    expect(some((b) => typeof b.ratio === 'number')).toBe(true);
    expect(some((b) => typeof b.flag === 'boolean')).toBe(true);
    expect(some((b) => Array.isArray(b.tags) && (b.tags as unknown[]).every((t) => typeof t === 'string'))).toBe(true);
    expect(some((b) => b.kind === 'a' || b.kind === 'b')).toBe(true);
    expect(some((b) => b.either === 0 || typeof b.either === 'boolean')).toBe(true);
    expect(some((b) => b.owner === knownIds[0])).toBe(true);
    expect(some((b) => typeof b.when === 'string' && !Number.isNaN(Date.parse(b.when)))).toBe(true);
    expect(some((b) => typeof b.email === 'string' && b.email.includes('@'))).toBe(true);
    expect(some((b) => typeof b.code === 'string' && /^[A-Z]{3}$/.test(b.code))).toBe(true);
    expect(some((b) => typeof b.broken === 'string')).toBe(true);
    expect(some((b) => typeof b.name === 'string' && b.name.length >= 2 && b.name.length <= 4)).toBe(true);
    expect(some((b) => !!b.extra && typeof b.extra === 'object')).toBe(true);
  });

  it('follows relations into field paths of the related collection', () => {
    expect(requests.some((request) => /organization\.(id|name)/.test(decodeURIComponent(request.query)))).toBe(true);
  });
});

describe('edge cases of the targets', () => {
  it('refuses a document with nothing to fuzz', () => {
    expect(() => requestArbitrary({ targets: { operations: [], items: [] }, knownIds: [] })).toThrow(/nothing to fuzz/);
  });

  it('makes up ids when it knows none, and names a collection for a {collection} parameter', () => {
    const withCollection: FuzzTargets = {
      operations: [
        {
          method: 'get',
          path: '/groundwork/v1/workflows/{collection}/{id}',
          parameters: [
            { name: 'collection', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          mutating: false,
        },
      ],
      items: [{ collection: 'tags', base: '/items/tags', fields: ['id'], relations: {} }],
    };
    const made = fc.sample(requestArbitrary({ targets: withCollection, knownIds: [] }), { numRuns: 2000, seed: 3 });
    const ours = made.filter((request) => request.path.startsWith('/groundwork/v1/workflows/'));
    expect(ours.some((request) => request.path.startsWith('/groundwork/v1/workflows/tags/'))).toBe(true);
    expect(
      ours.some((request) => /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(request.path)),
    ).toBe(true);
  });

  it('shortens long bodies and URLs in the failure report', () => {
    const line = describeRequest({
      role: 'admin',
      account: 'main',
      method: 'POST',
      path: `/items/${'x'.repeat(700)}`,
      query: '',
      body: 'y'.repeat(400),
      contentType: 'text/plain',
    });
    expect(line).toContain('… (400 chars)');
    expect(line).toContain("-H 'content-type: text/plain'");
    expect(line.length).toBeLessThan(1100);
  });
});

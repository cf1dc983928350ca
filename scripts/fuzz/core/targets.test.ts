import { describe, expect, it } from '@jest/globals';
import { actsOnCaller, targetsFrom } from './targets.js';

const doc = {
  paths: {
    '/groundwork/v1/things/{id}': {
      post: {
        operationId: 'groundworkThing',
        parameters: [{ $ref: '#/components/parameters/Id' }, { name: 'mode', in: 'query', schema: { type: 'string' } }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
      },
    },
    '/groundwork/v1/added-later': { delete: { operationId: 'groundworkAddedLater' } },
    '/roles': { get: { operationId: 'getRoles' } },
    '/auth/login': {
      post: { operationId: 'login', requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } },
    },
    '/items/tickets': { get: {} },
    '/users': { get: {} },
  },
  components: {
    parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } } },
    schemas: {
      Thing: { type: 'object', properties: { name: { type: 'string' } } },
      ItemsTickets: {
        'x-collection': 'tickets',
        properties: {
          id: { type: 'string' },
          requester: { oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/Users' }] },
        },
      },
      Users: { 'x-collection': 'directus_users', properties: { id: { type: 'string' } } },
      ItemsHidden: { 'x-collection': 'hidden', properties: {} },
    },
  },
};

describe('targetsFrom', () => {
  const targets = targetsFrom(doc);

  it('takes every groundwork operation, including ones it has never seen, and no other Directus route', () => {
    const ours = targets.operations.filter((op) => op.path.startsWith('/groundwork'));
    expect(ours.map((op) => `${op.method} ${op.path}`).sort()).toEqual([
      'delete /groundwork/v1/added-later',
      'post /groundwork/v1/things/{id}',
    ]);
    expect(targets.operations.some((op) => op.path === '/roles')).toBe(false);
  });

  it('resolves parameter and body references', () => {
    const thing = targets.operations.find((op) => op.path === '/groundwork/v1/things/{id}')!;
    expect(thing.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:mode']);
    expect(thing.body).toEqual({ type: 'object', properties: { name: { type: 'string' } } });
    expect(thing.mutating).toBe(true);
  });

  it('adds the overridden Directus routes, documented or not', () => {
    const login = targets.operations.find((op) => op.path === '/auth/login')!;
    expect(login.body).toEqual({ type: 'object' });
    expect(targets.operations.some((op) => op.path === '/users/register' && op.method === 'post')).toBe(true);
  });

  it('lists item endpoints that exist, with fields and relations', () => {
    expect(targets.items).toEqual([
      {
        collection: 'tickets',
        base: '/items/tickets',
        fields: ['id', 'requester'],
        relations: { requester: 'directus_users' },
      },
      { collection: 'directus_users', base: '/users', fields: ['id'], relations: {} },
    ]);
  });
});

describe('actsOnCaller', () => {
  it('is true for a `me` segment only', () => {
    expect(actsOnCaller('/groundwork/v1/users/me/deactivate')).toBe(true);
    expect(actsOnCaller('/users/me')).toBe(true);
    expect(actsOnCaller('/groundwork/v1/users/{id}/deactivate')).toBe(false);
    expect(actsOnCaller('/items/memes')).toBe(false);
  });
});

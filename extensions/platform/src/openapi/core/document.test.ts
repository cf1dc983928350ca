import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { sortKeysDeep } from '../../shared/canonical.js';
import { buildApiDocument, type RouteDoc } from './document.js';

const route: RouteDoc = {
  method: 'get',
  path: '/groundwork/v1/things',
  operationId: 'listThings',
  summary: 'Things.',
  tag: 'Things',
  public: true,
  query: z.object({
    limit: z.coerce.number().int().max(100).meta({ description: 'At most 100.', example: 10 }),
    after: z.string().optional(),
  }),
  responses: {
    200: { description: 'The things.', schema: z.object({ data: z.array(z.string()) }) },
    400: { description: 'Bad query.' },
  },
};

const directus = {
  openapi: '3.0.1',
  info: { title: 'Dynamic API Specification', version: 'hash-of-now' },
  servers: [{ url: 'http://127.0.0.1:40000' }],
  tags: [{ name: 'Items' }],
  paths: { '/items/things': { get: { operationId: 'readThings' } } },
};

describe('buildApiDocument', () => {
  const document = buildApiDocument(directus, [route], { version: '1.2.3', serverUrl: 'http://localhost:8055' });
  const operation = (document.paths as Record<string, Record<string, Record<string, unknown>>>)[
    '/groundwork/v1/things'
  ]!.get!;

  it("keeps Directus's paths and adds ours, with our title, version and server", () => {
    expect(Object.keys(document.paths as object)).toEqual(['/groundwork/v1/things', '/items/things']);
    expect(document.info).toMatchObject({ title: 'Groundwork API', version: '1.2.3' });
    expect(document.servers).toEqual([{ url: 'http://localhost:8055' }]);
    expect(document.tags).toEqual([{ name: 'Items' }, { name: 'Things', description: 'Groundwork: Things' }]);
    const shuffledTags = { ...directus, tags: [{ name: 'Users' }, { name: 'Items' }] };
    const names = (
      buildApiDocument(shuffledTags, [route], { version: '1', serverUrl: 'x' }).tags as Array<{ name: string }>
    ).map((tag) => tag.name);
    expect(names).toEqual(['Items', 'Things', 'Users']);
  });

  it('describes query parameters from the zod schema, required or not, with their examples', () => {
    expect(operation.parameters).toEqual([
      {
        name: 'limit',
        in: 'query',
        required: true,
        description: 'At most 100.',
        example: 10,
        schema: expect.any(Object),
      },
      { name: 'after', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('marks public routes as needing no token, and gives errors the envelope', () => {
    expect(operation.security).toEqual([]);
    const responses = operation.responses as Record<string, { content?: Record<string, { schema: unknown }> }>;
    expect(responses['200']!.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      properties: { data: { type: 'array' } },
    });
    expect(responses['400']!.content!['application/json']!.schema).toMatchObject({ required: ['errors'] });
  });

  it('is the same document whatever the order of the input', () => {
    const reordered = {
      paths: directus.paths,
      tags: directus.tags,
      servers: directus.servers,
      info: directus.info,
      openapi: '3.0.1',
    };
    expect(
      JSON.stringify(buildApiDocument(reordered, [route], { version: '1.2.3', serverUrl: 'http://localhost:8055' })),
    ).toBe(JSON.stringify(document));
  });
});

describe('buildApiDocument: operations', () => {
  const update: RouteDoc = {
    method: 'patch',
    path: '/groundwork/v1/things/{id}',
    operationId: 'updateThing',
    summary: 'Update a thing.',
    tag: 'Things',
    public: false,
    params: z.object({ id: z.string().uuid() }),
    body: z.object({ name: z.string().min(1), archived: z.boolean().default(false) }),
    responses: {
      200: { description: 'The thing.', schema: z.object({ id: z.string() }) },
      204: { description: 'Nothing changed.' },
      404: { description: 'No such thing.' },
      409: { description: 'Changed meanwhile.', schema: z.object({ current: z.string() }) },
    },
  };
  const remove: RouteDoc = {
    ...update,
    method: 'delete',
    operationId: 'deleteThing',
    body: undefined,
    params: undefined,
  };
  type Operation = {
    operationId: string;
    security?: unknown;
    parameters?: unknown;
    requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
    responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  };
  const document = buildApiDocument({}, [update, remove], { version: '1', serverUrl: 'http://localhost:8055' });
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const patch = paths['/groundwork/v1/things/{id}']!.patch!;

  it('builds a document from a Directus document without paths or tags', () => {
    expect(Object.keys(paths)).toEqual(['/groundwork/v1/things/{id}']);
    expect(document.tags).toEqual([{ name: 'Things', description: 'Groundwork: Things' }]);
  });

  it('keeps every method of a path (two routes on one path do not overwrite each other)', () => {
    expect(Object.keys(paths['/groundwork/v1/things/{id}']!)).toEqual(['delete', 'patch']);
    expect(paths['/groundwork/v1/things/{id}']!.delete!.operationId).toBe('deleteThing');
  });

  it("leaves an authenticated route on the document's bearer security (no empty security list)", () => {
    expect(patch).not.toHaveProperty('security');
  });

  it('describes path parameters as always required', () => {
    expect(patch.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', format: 'uuid' }) },
    ]);
  });

  it('documents the request body as the input the route accepts (a defaulted field is optional)', () => {
    expect(patch.requestBody!.required).toBe(true);
    const schema = patch.requestBody!.content['application/json']!.schema;
    expect(schema).toMatchObject({ type: 'object', properties: { name: { type: 'string', minLength: 1 } } });
    expect(schema.required).toEqual(['name']);
  });

  it('gives a 4xx without a schema the error envelope, and keeps a 4xx that declares its own schema', () => {
    expect(patch.responses['404']).toEqual({
      description: 'No such thing.',
      content: { 'application/json': { schema: expect.objectContaining({ required: ['errors'] }) } },
    });
    expect(patch.responses['409']!.content!['application/json']!.schema).toMatchObject({
      properties: { current: { type: 'string' } },
    });
  });

  it('gives a success without a schema no content at all (a 204 has no body)', () => {
    expect(patch.responses['204']).toEqual({ description: 'Nothing changed.' });
  });

  it('has neither parameters nor a request body when the route takes none', () => {
    const del = paths['/groundwork/v1/things/{id}']!.delete!;
    expect(del).not.toHaveProperty('parameters');
    expect(del).not.toHaveProperty('requestBody');
  });
});

describe('sortKeysDeep', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(JSON.stringify(sortKeysDeep({ b: 1, a: [{ d: 1, c: 2 }, 3] }))).toBe('{"a":[{"c":2,"d":1},3],"b":1}');
  });
});

describe('buildApiDocument with bodies in other media types', () => {
  it('lists each media type of bodyContent with its schema', () => {
    const raw: RouteDoc = {
      method: 'post',
      path: '/groundwork/v1/inbound/email',
      operationId: 'inbound',
      summary: 'An email.',
      tag: 'Inbound email',
      public: true,
      bodyContent: { 'message/rfc822': z.string(), 'multipart/form-data': z.object({ token: z.string() }) },
      responses: { 202: { description: 'Recorded.' } },
    };
    const document = buildApiDocument({}, [raw], { version: '1', serverUrl: 'http://localhost:8055' });
    const paths = document.paths as Record<
      string,
      Record<string, { requestBody: { content: Record<string, unknown> } }>
    >;
    const content = paths['/groundwork/v1/inbound/email']!['post']!.requestBody.content;
    expect(Object.keys(content).sort()).toEqual(['message/rfc822', 'multipart/form-data']);
    expect(content['message/rfc822']).toEqual({ schema: { type: 'string' } });
  });
});

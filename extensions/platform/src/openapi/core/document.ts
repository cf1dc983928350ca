// Our endpoints as OpenAPI, generated from the same zod schemas the routes validate with, merged into the
// document Directus generates for the caller. Pure.
import { z } from 'zod';
import { sortKeysDeep } from '../../shared/canonical.js';

export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Full path, e.g. /groundwork/v1/health/ready. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Authenticated routes use Directus's bearer token; probes are public. */
  public: boolean;
  query?: z.ZodObject;
  /** Path parameters, named as in `path` (`/items/{id}`). */
  params?: z.ZodObject;
  body?: z.ZodType;
  /** A body in media types other than JSON (raw MIME, a provider's form): media type → schema. */
  bodyContent?: Record<string, z.ZodType>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

type Json = Record<string, unknown>;

const ERROR_ENVELOPE: Json = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message', 'extensions'],
        properties: {
          message: { type: 'string' },
          extensions: {
            type: 'object',
            required: ['code'],
            properties: {
              code: { type: 'string', example: 'INVALID_QUERY' },
              issues: {
                type: 'array',
                items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  },
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

function parameters(shape: z.ZodObject, where: 'query' | 'path'): Json[] {
  return Object.entries(shape.shape).map(([name, field]) => {
    const schema = toSchema(field as z.ZodType, 'input');
    const { description, example, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      ...(example !== undefined ? { example } : {}),
      schema: rest,
    };
  });
}

function operation(route: RouteDoc): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const isError = Number(status) >= 400 && !response.schema;
    const schema = response.schema ? toSchema(response.schema, 'output') : isError ? ERROR_ENVELOPE : undefined;
    responses[status] = {
      description: response.description,
      ...(schema ? { content: { 'application/json': { schema } } } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.public ? { security: [] } : {}),
    ...(route.query || route.params
      ? {
          parameters: [
            ...(route.params ? parameters(route.params, 'path') : []),
            ...(route.query ? parameters(route.query, 'query') : []),
          ],
        }
      : {}),
    ...(route.bodyContent
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              Object.entries(route.bodyContent).map(([type, schema]) => [type, { schema: toSchema(schema, 'input') }]),
            ),
          },
        }
      : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

export function buildApiDocument(
  directus: Json,
  routes: RouteDoc[],
  options: { version: string; serverUrl: string },
): Json {
  const paths: Json = { ...((directus.paths as Json | undefined) ?? {}) };
  for (const route of routes) {
    paths[route.path] = { ...((paths[route.path] as Json | undefined) ?? {}), [route.method]: operation(route) };
  }
  const tags = [...((directus.tags as Json[] | undefined) ?? [])];
  for (const tag of new Set(routes.map((route) => route.tag))) {
    if (!tags.some((existing) => existing.name === tag)) tags.push({ name: tag, description: `Groundwork: ${tag}` });
  }
  // Directus lists tags in the order its schema query returns collections, which varies between runs.
  tags.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  // Sorted keys everywhere, so the generated file diffs cleanly (the input is an object, so is the output).
  return sortKeysDeep({
    ...directus,
    // Directus's info.version is a hash of the current time; ours is the release, so the file is reproducible.
    info: {
      title: 'Groundwork API',
      description: 'Directus 11 REST API for this project, plus Groundwork endpoints under /groundwork.',
      version: options.version,
    },
    servers: [{ url: options.serverUrl }],
    tags,
    paths,
  }) as Json;
}

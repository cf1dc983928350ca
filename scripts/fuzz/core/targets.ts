// What the fuzz aims at, read from our own OpenAPI document (GET /groundwork/v1/openapi.json as admin), so routes
// added later are fuzzed without an edit here: every operation we document (operationId `groundwork…`), the
// Directus routes the platform's hooks take over, and the item endpoints with the fields of each collection. Pure.

export type JsonSchema = Record<string, unknown>;
type Json = Record<string, unknown>;

export type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';
const METHODS: Method[] = ['get', 'post', 'patch', 'delete', 'put'];

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: Method;
  /** As documented, with `{name}` placeholders. */
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
  /** Changes state: sent as the role's spare account when it acts on the caller (`/me`). */
  mutating: boolean;
}

export interface ItemsTarget {
  collection: string;
  /** /items/<collection>, /users or /files. */
  base: string;
  fields: string[];
  /** Relational field → the collection it points at (for nested filters and field paths). */
  relations: Record<string, string>;
}

export interface FuzzTargets {
  operations: Operation[];
  items: ItemsTarget[];
}

/**
 * Directus routes the platform's hooks serve or change (security/ login throttle and registration, users/ TOTP and
 * deactivation, privacy/ the export alias). Not ours to document, so named here; when the document has them, their
 * parameters and body come from it, else they get hostile input only.
 */
export const PLATFORM_OVERRIDES: Array<{ method: Method; path: string }> = [
  { method: 'post', path: '/auth/login' },
  { method: 'post', path: '/users/register' },
  { method: 'get', path: '/users/register/verify-email' },
  { method: 'get', path: '/users/me' },
  { method: 'patch', path: '/users/me' },
  { method: 'patch', path: '/users/{id}' },
  { method: 'get', path: '/users/me/export' },
];

/** Operations we publish are named `groundwork…` (openapi/core/document.ts builds them from our route docs); any
 * path under /groundwork is ours too, whatever its name. */
const OURS = /^groundwork/;
/** Directus system collections that have item endpoints of their own. */
const SYSTEM_ENDPOINTS: Record<string, string> = { directus_users: '/users', directus_files: '/files' };

function resolve(doc: Json, value: unknown, depth = 0): unknown {
  if (depth > 12 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((entry) => resolve(doc, entry, depth + 1));
  const ref = (value as Json).$ref;
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
    // Relations point back and forth: past a few levels a reference is just "some object".
    return depth > 3 ? { type: 'object' } : resolve(doc, target, depth + 1);
  }
  return Object.fromEntries(Object.entries(value as Json).map(([key, entry]) => [key, resolve(doc, entry, depth + 1)]));
}

function parametersOf(doc: Json, operation: Json, path: string): Parameter[] {
  const listed = ((operation.parameters as unknown[] | undefined) ?? []).map((entry) => resolve(doc, entry) as Json);
  const parameters: Parameter[] = listed
    .filter((entry) => entry.in === 'path' || entry.in === 'query')
    .map((entry) => ({
      name: String(entry.name),
      in: entry.in as 'path' | 'query',
      required: entry.in === 'path' || entry.required === true,
      schema: (entry.schema as JsonSchema | undefined) ?? {},
    }));
  // A placeholder the document forgot still needs a value.
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name))
      parameters.push({ name: name!, in: 'path', required: true, schema: { type: 'string' } });
  }
  return parameters;
}

function operationOf(doc: Json, method: Method, path: string, operation: Json | undefined): Operation {
  const content = (operation?.requestBody as Json | undefined)?.content as Json | undefined;
  const body = (content?.['application/json'] as Json | undefined)?.schema;
  return {
    method,
    path,
    parameters: parametersOf(doc, operation ?? {}, path),
    ...(body ? { body: resolve(doc, body) as JsonSchema } : {}),
    mutating: method !== 'get',
  };
}

function itemsTargets(doc: Json): ItemsTarget[] {
  const paths = (doc.paths as Json | undefined) ?? {};
  const schemas = ((doc.components as Json | undefined)?.schemas as Json | undefined) ?? {};
  const collectionOfSchema = (name: string) => (schemas[name] as Json | undefined)?.['x-collection'] as string;
  const targets: ItemsTarget[] = [];
  for (const schema of Object.values(schemas) as Json[]) {
    const collection = schema['x-collection'];
    if (typeof collection !== 'string') continue;
    const base = SYSTEM_ENDPOINTS[collection] ?? `/items/${collection}`;
    if (!(paths[base] as Json | undefined)?.get) continue;
    const properties = (schema.properties as Json | undefined) ?? {};
    const relations: Record<string, string> = {};
    for (const [field, definition] of Object.entries(properties) as Array<[string, Json]>) {
      const choices = (definition.oneOf ?? (definition.items as Json | undefined)?.oneOf) as Json[] | undefined;
      const ref = choices?.find((choice) => typeof choice.$ref === 'string')?.$ref as string | undefined;
      const target = ref ? collectionOfSchema(ref.split('/').pop()!) : undefined;
      if (target) relations[field] = target;
    }
    targets.push({ collection, base, fields: Object.keys(properties), relations });
  }
  return targets.sort((a, b) => a.base.localeCompare(b.base));
}

/** The operations and item endpoints to fuzz, from an OpenAPI document as the admin sees it. */
export function targetsFrom(doc: Json, overrides = PLATFORM_OVERRIDES): FuzzTargets {
  const paths = (doc.paths as Record<string, Json> | undefined) ?? {};
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation && (OURS.test(String(operation.operationId ?? '')) || path.startsWith('/groundwork/'))) {
        operations.push(operationOf(doc, method, path, operation));
      }
    }
  }
  for (const { method, path } of overrides) {
    if (operations.some((op) => op.method === method && op.path === path)) continue;
    operations.push(operationOf(doc, method, path, paths[path]?.[method] as Json | undefined));
  }
  return { operations, items: itemsTargets(doc) };
}

/** A route that acts on the caller's own account (`/users/me/deactivate`): `me` is a path segment. */
export function actsOnCaller(path: string): boolean {
  return /(^|\/)me(\/|$)/.test(path);
}

// The requests the fuzz sends, as fast-check arbitraries: documented values from each operation's schemas mixed
// with hostile ones (wrong types, huge numbers, NUL bytes, odd unicode, very long strings, arrays for scalars,
// prototype-pollution keys, malformed JSON, wrong content types), and /items query parameters built from each
// collection's fields. Pure: a request is data; fuzz/send.ts puts it on the wire.
import fc from 'fast-check';
import { actsOnCaller, type FuzzTargets, type ItemsTarget, type JsonSchema, type Operation } from './targets.js';

export const ROLES = ['admin', 'manager', 'agent', 'contentEditor', 'customer', 'integration', 'public'] as const;
export type Role = (typeof ROLES)[number];

export interface FuzzRequest {
  role: Role;
  /** `spare`: the role's throwaway account, for changes to the caller's own account (deactivate, erase …). */
  account: 'main' | 'spare';
  method: string;
  /** Percent-encoded, starting with `/`. */
  path: string;
  /** Raw `key=value` pairs, already encoded, joined with `&`. */
  query: string;
  contentType?: string;
  body?: string;
}

export interface GenerationContext {
  targets: FuzzTargets;
  /** Ids of fixture rows and spare accounts: real rows to hit. Never the fuzzing accounts (see fuzz/fixture.ts). */
  knownIds: string[];
}

type Call = Omit<FuzzRequest, 'role' | 'account'> & { template: string };

const LONG = 'x'.repeat(20_000);
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '..',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '-1e309',
  '9007199254740993',
  '99999999999999999999999999',
  '-9223372036854775809',
  '2147483648',
  'true',
  '[]',
  '{}',
  '{"a":',
  "'; select pg_sleep(1); --",
  '$CURRENT_USER',
  '$CURRENT_ROLE',
  '$NOW',
  '$NOW(-1 year)',
  '$NOW(garbage)',
  '*',
  '\u202eevil',
  '😀',
  '\ud800',
  'ǅ\u0301\u0301\u0301',
  '%',
  '%zz',
  '\\',
  '"',
  '<script>alert(1)</script>',
  '0x10',
  '1.5',
  ' 1',
  '2026-13-45',
  '2026-02-30T25:61:00Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-fffffffffffff',
  LONG,
  'y'.repeat(2000),
];
/** Written into the path as they are: bad percent-encoding and traversal. */
const RAW_SEGMENTS = ['%zz', '%ff', '%c0%af', '%00', '%2e%2e', '%2f', '..', '.', '%u0000', '%E2%80%AE'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
);

const PROTO_BODIES = ['{"__proto__":{"admin_access":true}}', '{"constructor":{"prototype":{"polluted":true}}}'];
const hugeNumber = fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 2 ** 31, 1.5e-320, -0);

export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hugeNumber, weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [[[[]]]], [null], { _eq: 1 }), weight: 1 },
  { arbitrary: fc.constantFrom(...PROTO_BODIES).map((text) => JSON.parse(text) as unknown), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
);

/** Percent-encodes a value; a lone surrogate (no UTF-8 form) goes as U+FFFD, as a browser would send it. */
export function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
}

/** A value the schema allows (as far as it says), or anything when it says nothing fast-check can use. */
export function valueFor(schema: JsonSchema, knownIds: string[], depth = 0): fc.Arbitrary<unknown> {
  const base = schemaValue(schema, knownIds, depth);
  return schema.nullable ? fc.option(base, { nil: null }) : base;
}

function schemaValue(schema: JsonSchema, knownIds: string[], depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (choices?.length) return fc.oneof(...choices.map((choice) => valueFor(choice, knownIds, depth + 1)));
  if (depth > 4) return fc.constant(null);
  const num = (key: string, fallback: number) => (typeof schema[key] === 'number' ? (schema[key] as number) : fallback);
  switch (schema.type) {
    case 'integer':
      return fc.integer({
        min: Math.max(num('minimum', -(2 ** 31)), Number.MIN_SAFE_INTEGER),
        max: Math.min(num('maximum', 2 ** 31), Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor((schema.items as JsonSchema) ?? {}, knownIds, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      if (Object.keys(properties).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), hostileJson);
      const required = (schema.required as string[] | undefined) ?? [];
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, valueFor(v, knownIds, depth + 1)])),
        { requiredKeys: required.filter((key) => key in properties) },
      );
    }
    case 'string':
      return stringFor(schema, knownIds);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema, knownIds: string[]): fc.Arbitrary<string> {
  if (schema.format === 'uuid') {
    return knownIds.length ? fc.oneof(fc.constantFrom(...knownIds), fc.uuid()) : fc.uuid();
  }
  if (schema.format === 'date-time' || schema.format === 'timestamp') {
    return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  }
  if (schema.format === 'email') return fc.emailAddress();
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern));
    } catch {
      // A pattern JavaScript cannot compile: plain strings then.
    }
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 200);
  return fc.string({ minLength: Math.min(minLength, maxLength), maxLength });
}

/** Mostly what the schema documents, sometimes something hostile in its place. */
function documentedOrHostile(schema: JsonSchema, knownIds: string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valueFor(schema, knownIds), weight: 3 }, { arbitrary: hostileJson, weight: 1 });
}

/** A value as it goes into a query string: scalars as text, objects and arrays as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** One query parameter as pairs: `k=v`, an array for a scalar (`k=a&k=b`, `k[]=a`), or bracket keys (`k[x]=v`). */
function queryPairs(name: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<string[]> {
  const key = encode(name);
  return fc.oneof(
    { arbitrary: value.map((v) => [`${key}=${encode(asText(v))}`]), weight: 6 },
    {
      arbitrary: fc.tuple(value, value).map(([a, b]) => [`${key}=${encode(asText(a))}`, `${key}=${encode(asText(b))}`]),
      weight: 1,
    },
    { arbitrary: value.map((v) => [`${key}%5B%5D=${encode(asText(v))}`]), weight: 1 },
    {
      arbitrary: fc.tuple(hostileString, value).map(([k, v]) => [`${key}%5B${encode(k)}%5D=${encode(asText(v))}`]),
      weight: 1,
    },
    { arbitrary: fc.constant<string[]>([key]), weight: 1 },
  );
}

const strayQuery: fc.Arbitrary<string[]> = fc
  .array(
    fc.tuple(
      fc.constantFrom('__proto__[polluted]', 'constructor[prototype][polluted]', '__proto__', 'unknown', '%00', ''),
      hostileString,
    ),
    { maxLength: 2 },
  )
  .map((pairs) =>
    pairs.map(
      ([k, v]) => `${k.startsWith('%') ? k : encode(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encode(v)}`,
    ),
  );

function joinQuery(parts: Array<string[] | undefined>): string {
  return parts.flatMap((part) => part ?? []).join('&');
}

/** A body for a route that takes one: the documented JSON, broken JSON, or the wrong content type. */
function bodyFor(operation: Operation, knownIds: string[]): fc.Arbitrary<Pick<FuzzRequest, 'contentType' | 'body'>> {
  const json = 'application/json';
  const documented = operation.body
    ? valueFor(operation.body, knownIds)
    : fc.dictionary(fc.string({ maxLength: 8 }), hostileJson);
  // A documented object with one field swapped for something hostile (or a stray key added).
  const mutated = fc.tuple(documented, fc.string({ maxLength: 12 }), hostileJson).map(([value, key, bad]) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return bad;
    const keys = Object.keys(value);
    const target = keys.length && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
    return Object.fromEntries([...Object.entries(value), [target, bad]]);
  });
  const malformed = fc.constantFrom(
    '{',
    '{"a":',
    'null',
    '"text"',
    '1e999',
    '[]',
    '\u0000',
    '{"a":"\\ud800"}',
    '{"a":1,"a":2}',
    ...PROTO_BODIES,
    '['.repeat(5000) + ']'.repeat(5000),
  );
  const wrongType = fc.tuple(
    fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/xml',
      'application/json; charset=utf-16',
      '',
    ),
    fc.constantFrom('a=1&__proto__[x]=1', '<a/>', '{"email":"x"}', '--x\r\n', ''),
  );
  return fc.oneof(
    { arbitrary: documented.map((v) => ({ contentType: json, body: JSON.stringify(v) ?? 'null' })), weight: 4 },
    { arbitrary: mutated.map((v) => ({ contentType: json, body: JSON.stringify(v) ?? 'null' })), weight: 3 },
    { arbitrary: malformed.map((body) => ({ contentType: json, body })), weight: 1 },
    { arbitrary: wrongType.map(([contentType, body]) => ({ contentType, body })), weight: 1 },
    { arbitrary: fc.constant({}), weight: 1 },
  );
}

function pathSegment(name: string, schema: JsonSchema, context: GenerationContext): fc.Arbitrary<string> {
  const collections = context.targets.items.map((target) => target.collection);
  const documented =
    name === 'collection' && collections.length
      ? fc.constantFrom(...collections)
      : valueFor(schema, context.knownIds).map(asText);
  const known = context.knownIds.length ? fc.constantFrom(...context.knownIds) : fc.uuid();
  return fc.oneof(
    { arbitrary: documented.map(encode), weight: 3 },
    { arbitrary: known, weight: 2 },
    { arbitrary: hostileString.map(encode), weight: 2 },
    { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 1 },
  );
}

/** A request to one documented operation. */
export function operationCall(operation: Operation, context: GenerationContext): fc.Arbitrary<Call> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const segments = fc.tuple(...pathParams.map((p) => pathSegment(p.name, p.schema, context)));
  const query = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(queryPairs(p.name, documentedOrHostile(p.schema, context.knownIds)), { nil: undefined }),
    ),
  );
  const takesBody = operation.mutating || operation.body !== undefined;
  const body = takesBody ? bodyFor(operation, context.knownIds) : fc.constant({});
  return fc.record({ segments, query, stray: strayQuery, body }).map(({ segments, query, stray, body }) => {
    let path = operation.path;
    pathParams.forEach((param, index) => (path = path.replace(`{${param.name}}`, segments[index]!)));
    return {
      method: operation.method.toUpperCase(),
      path,
      template: operation.path,
      query: joinQuery([...query, stray]),
      ...body,
    };
  });
}

const FILTER_OPERATORS = [
  '_eq',
  '_neq',
  '_lt',
  '_lte',
  '_gt',
  '_gte',
  '_in',
  '_nin',
  '_null',
  '_nnull',
  '_contains',
  '_ncontains',
  '_icontains',
  '_starts_with',
  '_istarts_with',
  '_ends_with',
  '_between',
  '_nbetween',
  '_empty',
  '_nempty',
  '_intersects',
  '_intersects_bbox',
  '_regex',
  '_some',
  '_none',
];
const BAD_OPERATORS = ['_foo', 'eq', '_EQ', '$eq', '__proto__', '_and', '', '_in_'];
const DYNAMIC_VALUES = [
  '$CURRENT_USER',
  '$CURRENT_ROLE',
  '$CURRENT_POLICIES',
  '$NOW',
  '$NOW(-1 day)',
  '$NOW(+nonsense)',
  '$CURRENT_USER.organization',
];
const FUNCTIONS = ['year', 'month', 'week', 'day', 'weekday', 'hour', 'minute', 'second', 'count', 'json', 'nope'];

function fieldNames(target: ItemsTarget): fc.Arbitrary<string> {
  const names = target.fields.length ? target.fields : ['id'];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...names), weight: 6 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...FUNCTIONS), fc.constantFrom(...names)).map(([fn, f]) => `${fn}(${f})`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('nope', '__proto__', '*', 'id.id', '$thumbnail', ''), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
}

/** Field paths through relations (`organization.sla_policy.name`), up to and past MAX_RELATIONAL_DEPTH. */
function fieldPath(target: ItemsTarget, byCollection: Map<string, ItemsTarget>): fc.Arbitrary<string> {
  const relational = Object.keys(target.relations);
  const deeper = relational.length
    ? fc.constantFrom(...relational).chain((field) => {
        const next = byCollection.get(target.relations[field]!);
        return (next ? fieldNames(next) : fc.constant('*')).map((inner) => `${field}.${inner}`);
      })
    : fieldNames(target);
  return fc.oneof(
    { arbitrary: fieldNames(target), weight: 4 },
    { arbitrary: deeper, weight: 2 },
    { arbitrary: fc.constantFrom('*', '*.*', '*.*.*', '*.*.*.*.*.*.*'), weight: 1 },
  );
}

function filterFor(target: ItemsTarget, byCollection: Map<string, ItemsTarget>): fc.Arbitrary<unknown> {
  const operator = fc.oneof(
    { arbitrary: fc.constantFrom(...FILTER_OPERATORS), weight: 5 },
    { arbitrary: fc.constantFrom(...BAD_OPERATORS), weight: 1 },
  );
  const value = fc.oneof(
    { arbitrary: hostileJson, weight: 3 },
    { arbitrary: fc.constantFrom(...DYNAMIC_VALUES), weight: 1 },
    { arbitrary: fc.array(hostileJson, { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.uuid(), weight: 1 },
  );
  const condition = fc.tuple(operator, value).map(([op, v]) => Object.fromEntries([[op, v]]));
  const { node } = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      { arbitrary: fc.tuple(fieldNames(target), condition).map(([f, c]) => Object.fromEntries([[f, c]])), weight: 5 },
      {
        arbitrary: fc
          .tuple(fieldPath(target, byCollection), condition)
          .map(([path, c]) =>
            path.split('.').reduceRight<unknown>((inner, key) => Object.fromEntries([[key, inner]]), c),
          ),
        weight: 2,
      },
      {
        arbitrary: fc
          .tuple(fc.constantFrom('_and', '_or'), fc.array(tie('node'), { maxLength: 3 }))
          .map(([k, v]) => Object.fromEntries([[k, v]])),
        weight: 2,
      },
      {
        arbitrary: fc.tuple(fc.constantFrom('_and', '_or'), hostileJson).map(([k, v]) => Object.fromEntries([[k, v]])),
        weight: 1,
      },
      { arbitrary: hostileJson, weight: 1 },
    ),
  }));
  return node;
}

const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -5, max: 600 }),
  fc.constantFrom(
    -1,
    0,
    2 ** 31,
    2 ** 53 + 2,
    1e21,
    '1e309',
    '-1',
    'NaN',
    'Infinity',
    '1.5',
    ' 2',
    '0x10',
    '',
    '99999999999999999999',
  ),
  hostileString,
);

/** A GET of an item list (or of one item by a malformed id) with any mix of Directus's query parameters. */
export function itemsCall(target: ItemsTarget, byCollection: Map<string, ItemsTarget>): fc.Arbitrary<Call> {
  const path = fieldPath(target, byCollection);
  const list = fc.array(path, { minLength: 1, maxLength: 4 }).map((paths) => paths.join(','));
  const jsonOrText = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { arbitrary: arb.map((v) => JSON.stringify(v) ?? 'null'), weight: 4 },
      { arbitrary: hostileString, weight: 1 },
    );
  const aggregate = fc
    .tuple(
      fc.constantFrom(
        'count',
        'countDistinct',
        'countAll',
        'sum',
        'avg',
        'min',
        'max',
        'sumDistinct',
        'avgDistinct',
        'nope',
        '__proto__',
      ),
      fc.oneof(list, fc.constant('*'), hostileString),
    )
    .map(([fn, f]) => Object.fromEntries([[fn, f]]));
  const deep = fc
    .tuple(
      fc.constantFrom(...(Object.keys(target.relations).length ? Object.keys(target.relations) : ['nope'])),
      fc.constantFrom('_limit', '_offset', '_sort', '_filter', '_fields', '_nope'),
      hostileJson,
    )
    .map(([rel, key, v]) => Object.fromEntries([[rel, Object.fromEntries([[key, v]])]]));
  const alias = fc.tuple(hostileString, path).map(([name, f]) => Object.fromEntries([[name, f]]));
  const params: Record<string, fc.Arbitrary<unknown>> = {
    fields: fc.oneof(list, hostileString),
    filter: jsonOrText(filterFor(target, byCollection)),
    sort: fc.oneof(
      list.map((l) =>
        l
          .split(',')
          .map((f, i) => (i % 2 ? `-${f}` : f))
          .join(','),
      ),
      hostileString,
    ),
    search: hostileString,
    limit: hostileNumber,
    offset: hostileNumber,
    page: hostileNumber,
    aggregate: jsonOrText(aggregate),
    groupBy: fc.oneof(list, hostileString),
    deep: jsonOrText(deep),
    alias: jsonOrText(alias),
    meta: fc.oneof(fc.constantFrom('*', 'total_count', 'filter_count', 'total_count,filter_count'), hostileString),
    export: fc.oneof(fc.constantFrom('csv', 'csv_utf8', 'json', 'xml', 'yaml'), hostileString),
  };
  const query = fc.tuple(
    ...Object.entries(params).map(([name, value]) =>
      // Each parameter in about half the requests; an export (a whole file) in about one in twelve.
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: name === 'export' ? 11 : 1 },
        { arbitrary: queryPairs(name, value), weight: 1 },
      ),
    ),
  );
  const malformedId = fc.oneof(
    hostileString.map(encode),
    fc.constantFrom(...RAW_SEGMENTS),
    fc.uuid(),
    fc.integer().map(String),
  );
  return fc.oneof(
    {
      arbitrary: fc.tuple(query, strayQuery).map(([q, stray]) => ({
        method: 'GET',
        path: target.base,
        template: target.base,
        query: joinQuery([...q, stray]),
      })),
      weight: 5,
    },
    {
      arbitrary: fc
        .tuple(malformedId, fc.option(queryPairs('fields', params.fields!), { nil: undefined }))
        .map(([id, fields]) => ({
          method: 'GET',
          path: `${target.base}/${id}`,
          template: `${target.base}/{id}`,
          query: joinQuery([fields]),
        })),
      weight: 1,
    },
  );
}

/** Any request the fuzz may send: half to our operations, half to item lists, each as any role. */
export function requestArbitrary(
  context: GenerationContext,
  roles: readonly Role[] = ROLES,
): fc.Arbitrary<FuzzRequest> {
  const byCollection = new Map(context.targets.items.map((target) => [target.collection, target]));
  const calls: Array<fc.WeightedArbitrary<Call>> = [];
  if (context.targets.operations.length) {
    calls.push({
      arbitrary: fc.oneof(...context.targets.operations.map((op) => operationCall(op, context))),
      weight: 1,
    });
  }
  if (context.targets.items.length) {
    calls.push({ arbitrary: fc.oneof(...context.targets.items.map((t) => itemsCall(t, byCollection))), weight: 1 });
  }
  if (!calls.length) throw new Error('nothing to fuzz: the OpenAPI document lists no operations and no collections');
  return fc.tuple(fc.constantFrom(...roles), fc.oneof(...calls)).map(([role, { template, ...call }]) => ({
    role,
    // By construction, a change to the caller's own account never reaches a fuzzing account (decision 0022).
    account: call.method !== 'GET' && actsOnCaller(template) ? 'spare' : 'main',
    ...call,
  }));
}

/** The request as a curl command line, for the failure report. */
export function describeRequest(request: FuzzRequest, baseUrl = ''): string {
  const url = `${baseUrl}${request.path}${request.query ? `?${request.query}` : ''}`;
  const body =
    request.body === undefined
      ? ''
      : ` --data-binary ${JSON.stringify(request.body.length > 300 ? `${request.body.slice(0, 300)}… (${request.body.length} chars)` : request.body)}`;
  const type = request.contentType !== undefined ? ` -H 'content-type: ${request.contentType}'` : '';
  return `[${request.role}${request.account === 'spare' ? ' (spare account)' : ''}] curl -X ${request.method} '${url.length > 600 ? `${url.slice(0, 600)}…` : url}'${type}${body}`;
}

import { describe, expect, it } from '@jest/globals';
import { ALIAS_NAME_MESSAGE, deepIssues, queryShapeIssues } from './query-shape.js';

describe('queryShapeIssues', () => {
  it('accepts the shapes Directus takes', () => {
    expect(
      queryShapeIssues({
        fields: ['id', 'subject'],
        sort: '-id',
        meta: '*',
        limit: '10',
        filter: { status: { _eq: 'open' } },
        deep: '{"messages":{"_limit":1}}',
        aggregate: { count: '*' },
        alias: { a: 'id' },
        unrelated: { any: ['thing'] },
      }),
    ).toEqual([]);
  });

  it('names each parameter with a shape Directus would fail on', () => {
    expect(
      queryShapeIssues({
        meta: { '😀': '' },
        fields: [{ a: 'b' }],
        limit: ['1', '2'],
        filter: ['x'],
        sort: { a: '1' },
        deep: 'null',
        aggregate: ':',
        alias: '[]',
      }).map((issue) => issue.path),
    ).toEqual(['fields', 'sort', 'meta', 'limit', 'filter', 'deep', 'aggregate', 'alias']);
  });

  // Found by the fuzz (seed 1303890268, run 17147): `fields=[")","("]` answered 500 (match(...)[1] of null).
  it('takes a field path with one function call, refuses other parentheses, split as Directus splits', () => {
    const message = 'A function in a field path is written name(field), once: e.g. year(date_created)';
    for (const fields of ['id,year(date_created)', ['count(messages)', 'author.month(date_created)'], 'json(data,a)'])
      expect(queryShapeIssues({ fields })).toEqual([]);
    expect(queryShapeIssues({ sort: '-year(date_created)' })).toEqual([]);
    for (const fields of ['[")","("]', ')(', 'year()', ['id', 'a(b)c(d)'], 'x)'])
      expect(queryShapeIssues({ fields })).toEqual([{ path: 'fields', message }]);
    expect(queryShapeIssues({ groupBy: ')(' })).toEqual([{ path: 'groupBy', message }]);
    expect(queryShapeIssues({ alias: { a: ')(' } })).toEqual([{ path: 'alias', message }]);
    expect(deepIssues({ messages: { _sort: '-)(' } })).toEqual([{ path: 'deep.messages._sort', message }]);
  });

  // Found by the fuzz (seed 1303890268): Directus splits a list's entries at commas, so the prototype key hid there.
  it('finds a prototype key in a list entry that holds several paths, and in deep sub-queries', () => {
    const message =
      'A field path may not use a name of Object.prototype (__proto__, constructor, prototype, valueOf, toString, …)';
    expect(queryShapeIssues({ groupBy: ['color,constructor', 'year(color)'] })).toEqual([{ path: 'groupBy', message }]);
    // Found by the fuzz (seed 1177272288): any inherited name, since Directus asks `name in query.alias`.
    for (const name of ['valueOf', 'toString', 'hasOwnProperty', '-isPrototypeOf', 'a.__lookupGetter__'])
      expect(queryShapeIssues({ groupBy: name, alias: { x: 'id' } })).toEqual([{ path: 'groupBy', message }]);
    expect(queryShapeIssues({ alias: { x: 'toLocaleString' } })).toEqual([{ path: 'alias', message }]);
    expect(queryShapeIssues({ fields: ['value', 'string', 'values_of'] })).toEqual([]);
    expect(queryShapeIssues({ fields: ['id', 'name,__proto__.x'] })).toEqual([{ path: 'fields', message }]);
    expect(queryShapeIssues({ groupBy: ['color,name', 'id'] })).toEqual([]);
    expect(deepIssues({ messages: { _fields: 'id,constructor' } })).toEqual([
      { path: 'deep.messages._fields', message },
    ]);
    expect(deepIssues({ messages: { _sort: ['-date_created', 'id'] } })).toEqual([]);
  });

  // Found by the fuzz: `alias={"*":"count(id)"}` made Directus expand `*` forever, until the process ran out of memory.
  it('refuses an alias named *, empty, or with a path or list in its name; takes plain names', () => {
    expect(queryShapeIssues({ alias: '{"total":"count(id)","subject_copy":"subject"}' })).toEqual([]);
    for (const alias of ['{"*":"count(id)"}', '{"":"id"}', '{"a.*":"id"}', '{"a,b":"id"}', { 'x*': 'id' }])
      expect(queryShapeIssues({ alias })).toEqual([{ path: 'alias', message: ALIAS_NAME_MESSAGE }]);
    // Found by the fuzz: a NUL in an alias name broke PostgreSQL's protocol (the name goes into the SQL text).
    expect(queryShapeIssues({ alias: { 'a\u0007b': 'id' } })).toEqual([{ path: 'alias', message: ALIAS_NAME_MESSAGE }]);
    expect(queryShapeIssues({ alias: '{"\\u0000":"actor"}' }).map((issue) => issue.path)).toEqual(['alias']);
    expect(deepIssues({ assignee: { _alias: { '*': 'id' } } }).map((issue) => issue.path)).toEqual([
      'deep.assignee._alias',
    ]);
    expect(deepIssues({ assignee: { _alias: { name: 'id' } } })).toEqual([]);
  });

  it('refuses a NUL byte escaped inside any parameter, as a key or as text, at any depth', () => {
    const nul = (path: string) => [
      { path, message: 'Contains a NUL byte (\\u0000), which no field name or text value can hold' },
    ];
    expect(queryShapeIssues({ alias: '{"\\u0000":"actor"}' })).toEqual(nul('alias'));
    expect(queryShapeIssues({ filter: '{"subject":{"_eq":"a\\u0000b"}}' })).toEqual(nul('filter'));
    expect(queryShapeIssues({ filter: { 'x\u0000': { _eq: 1 } } })).toEqual(nul('filter'));
    expect(queryShapeIssues({ deep: { messages: { _filter: { body: { _in: ['\u0000'] } } } } })).toEqual(nul('deep'));
    expect(queryShapeIssues({ fields: '["id","a\\u0000"]' })).toEqual(nul('fields'));
    expect(queryShapeIssues({ filter: '{"subject":{"_eq":"a\\u0001b"}}', alias: '{"x":"id"}' })).toEqual([]);
  });

  // `meta=,&meta=*` (found by the fuzz in CI): Directus's sanitizeMeta splits a list holding ',' as if it were text.
  it('takes meta as text or a list of names, not a list holding a lone comma', () => {
    expect(queryShapeIssues({ meta: ['total_count', 'filter_count'] })).toEqual([]);
    expect(queryShapeIssues({ meta: 'total_count,filter_count' })).toEqual([]);
    expect(queryShapeIssues({ meta: [',', '*'] })).toEqual([
      { path: 'meta', message: 'Must be a text or list of names (a lone comma is not a name)' },
    ]);
    expect(deepIssues({ assignee: { _meta: ['a', ','] } }).map((issue) => issue.path)).toEqual(['deep.assignee._meta']);
  });
});

describe('deepIssues', () => {
  it('accepts the sub-queries Directus takes, as JSON text or parsed', () => {
    expect(deepIssues('{"messages":{"_limit":1,"_sort":["-id"],"_filter":{"internal":{"_eq":false}}}}')).toEqual([]);
    expect(deepIssues({ messages: { _filter: '{"id":{"_eq":1}}', author: { _fields: 'id' } } })).toEqual([]);
    expect(deepIssues('not json')).toEqual([]);
  });

  // Each of these stopped Directus 11.17.4 (an unhandled rejection in sanitizeDeep) before the fix.
  it.each([
    ['{"assignee":{"_filter":"{"}}', 'deep.assignee._filter'],
    ['{"assignee":{"_meta":true}}', 'deep.assignee._meta'],
    ['{"assignee":{"_fields":[{"a":1}]}}', 'deep.assignee._fields'],
    ['[{"_sort":[1]}]', 'deep.0._sort'],
    ['{"a":{"b":{"_deep":{"c":{"_filter":5}}}}}', 'deep.a.b._deep.c._filter'],
  ])('refuses %s at %s', (deep, path) => {
    expect(deepIssues(deep).map((issue) => issue.path)).toEqual([path]);
  });

  it('refuses a function in an aggregate (it reached SQL as a column name: a 500 with the SQL)', () => {
    expect(queryShapeIssues({ aggregate: '{"count":"year(collection)"}' }).map((i) => i.path)).toEqual(['aggregate']);
    expect(queryShapeIssues({ aggregate: { sum: ['a', 'month(b)'] } }).map((i) => i.path)).toEqual(['aggregate']);
    expect(queryShapeIssues({ aggregate: { count: '*', sum: 'satisfaction' } })).toEqual([]);
    expect(queryShapeIssues({ aggregate: '{"sumDistinct":"*"}' }).map((i) => i.path)).toEqual(['aggregate']);
  });

  it('refuses a relational path in an aggregate (it reached SQL as collection.a.b: a 500 with the SQL)', () => {
    expect(queryShapeIssues({ aggregate: '{"count":"id.id,id"}' }).map((i) => i.path)).toEqual(['aggregate']);
    expect(queryShapeIssues({ aggregate: { avgDistinct: ['sort', 'parent.sort'] } }).map((i) => i.path)).toEqual([
      'aggregate',
    ]);
    expect(queryShapeIssues({ aggregate: { count: 'id', avgDistinct: ['sort'] } })).toEqual([]);
  });

  it('refuses prototype keys in field paths (fields=modified_by.__proto__ was a 500)', () => {
    expect(queryShapeIssues({ fields: 'id,modified_by.__proto__' }).map((i) => i.path)).toEqual(['fields']);
    expect(queryShapeIssues({ sort: ['-constructor'] }).map((i) => i.path)).toEqual(['sort']);
    expect(queryShapeIssues({ fields: 'id,proto_type,user_created.email' })).toEqual([]);
  });

  it('refuses prototype keys in aggregated and aliased fields (aggregate={"count":"constructor"} was a 500)', () => {
    expect(queryShapeIssues({ aggregate: '{"count":"constructor"}' }).map((i) => i.path)).toEqual(['aggregate']);
    expect(queryShapeIssues({ aggregate: { sum: ['a', '__proto__'] } }).map((i) => i.path)).toEqual(['aggregate']);
    expect(queryShapeIssues({ alias: '{"x":"prototype"}' }).map((i) => i.path)).toEqual(['alias']);
    expect(queryShapeIssues({ aggregate: { count: 'id' }, alias: { constructor: 'id' } })).toEqual([]);
  });

  it('refuses a relational groupBy (a TypeError in Directus: a 500)', () => {
    expect(queryShapeIssues({ groupBy: 'status,ticket.assignee' }).map((i) => i.path)).toEqual(['groupBy']);
    expect(queryShapeIssues({ groupBy: ['status', 'year(date_created)'] })).toEqual([]);
  });

  it('refuses JSON parameters nested past the bound', () => {
    const filter = '['.repeat(5000) + ']'.repeat(5000);
    expect(queryShapeIssues({ filter }).map((issue) => issue.path)).toEqual(['filter']);
  });

  it('is applied by queryShapeIssues', () => {
    expect(queryShapeIssues({ deep: '{"x":{"_meta":1}}' }).map((issue) => issue.path)).toEqual(['deep.x._meta']);
  });
});

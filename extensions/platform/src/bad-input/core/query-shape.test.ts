import { describe, expect, it } from '@jest/globals';
import { deepIssues, queryShapeIssues } from './query-shape.js';

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

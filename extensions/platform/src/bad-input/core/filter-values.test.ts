import { describe, expect, it } from '@jest/globals';
import { filterValueIssues } from './filter-values.js';
import { ALIAS_NAME_MESSAGE } from './query-shape.js';

describe('filterValueIssues', () => {
  it('takes text for the case-insensitive operators, and anything Directus validates for the others', () => {
    expect(
      filterValueIssues({
        filter: {
          _and: [{ subject: { _icontains: 'printer' } }, { organization: { name: { _istarts_with: 'Acme' } } }],
          priority: { _eq: null },
          number: { _gt: 5 },
        },
        deep: { messages: { _filter: { body: { _nicontains: 'x' } } } },
      }),
    ).toEqual([]);
    expect(filterValueIssues({})).toEqual([]);
    expect(filterValueIssues(null)).toEqual([]);
  });

  it('names every non-text value of a case-insensitive operator, at any depth and in deep sub-queries', () => {
    expect(
      filterValueIssues({
        filter: {
          collection: { _istarts_with: null },
          _or: [{ name: { _icontains: 5 } }, { organization: { name: { _ieq: false } } }],
        },
        deep: {
          messages: {
            _filter: '{"body":{"_niends_with":["a"]}}',
            author: { _deep: { x: { _filter: { a: { _nieq: {} } } } } },
          },
        },
      }).map((issue) => issue.path),
    ).toEqual([
      'filter.collection._istarts_with',
      'filter._or[0].name._icontains',
      'filter._or[1].organization.name._ieq',
      'deep.messages._filter.body._niends_with',
      'deep.messages.author._deep.x._filter.a._nieq',
    ]);
  });

  it('reads a filter given as JSON text (as the query string brings it) and says what is wrong', () => {
    expect(filterValueIssues({ filter: '{"name":{"_icontains":1}}' })).toEqual([
      { path: 'filter.name._icontains', message: '_icontains compares text: its value must be text' },
    ]);
  });

  it('names a field key with parentheses that is no function call, and takes one that is', () => {
    expect(filterValueIssues({ filter: { 'year(date_created)': { _eq: 2026 } } })).toEqual([]);
    expect(filterValueIssues({ filter: { _and: [{ ')(': { _eq: 1 } }, { 'a()': { _null: true } }] } })).toEqual([
      { path: 'filter._and[0].)(', message: 'A function in a field key is written name(field), once' },
      { path: 'filter._and[1].a()', message: 'A function in a field key is written name(field), once' },
    ]);
  });
  // Found by the fuzz (seed 1405381070): `_some: null` made Directus call Object.keys(null), a 500.
  it('takes only a filter object for _some and _none, at any depth, and walks into it', () => {
    const message = (op: string) => `${op} takes a filter of the related rows: its value must be an object`;
    expect(filterValueIssues({ filter: { messages: { _some: null } } })).toEqual([
      { path: 'filter.messages._some', message: message('_some') },
    ]);
    expect(
      filterValueIssues({ filter: { _and: [{ messages: { _none: [1] } }, { 'count(messages)': { _some: 5 } }] } }),
    ).toEqual([
      { path: 'filter._and[0].messages._none', message: message('_none') },
      { path: 'filter._and[1].count(messages)._some', message: message('_some') },
    ]);
    expect(filterValueIssues({ deep: { messages: { _filter: { author: { _some: null } } } } })).toEqual([
      { path: 'deep.messages._filter.author._some', message: message('_some') },
    ]);
    expect(filterValueIssues({ filter: { messages: { _some: { body: { _icontains: 1 } } } } })).toEqual([
      { path: 'filter.messages._some.body._icontains', message: '_icontains compares text: its value must be text' },
    ]);
    expect(
      filterValueIssues({ filter: { messages: { _some: {} }, organization: { _none: { id: { _null: true } } } } }),
    ).toEqual([]);
  });

  // The URL guard (query-shape.ts) does not see websocket subscriptions; the query event does.
  it('names a bad alias name on the parsed query and in deep sub-queries, and takes plain ones', () => {
    expect(filterValueIssues({ alias: { '*': 'count(id)' } })).toEqual([
      { path: 'alias', message: ALIAS_NAME_MESSAGE },
    ]);
    expect(filterValueIssues({ alias: { 'a\u0000': 'id' } }).map((issue) => issue.path)).toEqual(['alias']);
    expect(filterValueIssues({ deep: { messages: { _alias: { '': 'id' } } } }).map((issue) => issue.path)).toEqual([
      'deep.messages._alias',
    ]);
    expect(filterValueIssues({ alias: { total: 'count(id)' }, deep: { messages: { _alias: { b: 'body' } } } })).toEqual(
      [],
    );
  });
});

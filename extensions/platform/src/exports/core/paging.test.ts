import { describe, expect, it } from '@jest/globals';
import { nextPage, pageSize, planPaging } from './paging.js';

describe('planPaging', () => {
  it('pages by keyset on the primary key by default, adding it to fields when absent', () => {
    expect(planPaging(undefined, ['subject'], 'id', 'integer')).toEqual({
      mode: 'keyset',
      sort: ['id'],
      addPrimaryKey: true,
      descending: false,
    });
    expect(planPaging(['id'], ['*'], 'id', 'integer')).toMatchObject({ mode: 'keyset', addPrimaryKey: false });
    expect(planPaging(['-id'], ['id', 'x'], 'id', 'integer')).toMatchObject({
      mode: 'keyset',
      descending: true,
      sort: ['-id'],
    });
  });
  it('pages by offset with the key as tie-breaker for other sorts', () => {
    expect(planPaging(['-date_created'], ['*'], 'id', 'integer')).toEqual({
      mode: 'offset',
      sort: ['-date_created', 'id'],
      addPrimaryKey: false,
      descending: false,
    });
    expect(planPaging(['status', '-id'], ['*'], 'id', 'integer').sort).toEqual(['status', '-id']);
  });
});

describe('planPaging for keys Directus cannot compare', () => {
  it('pages a uuid key by offset, sorted by the key by default', () => {
    expect(planPaging(undefined, ['subject'], 'id', 'uuid')).toEqual({
      mode: 'offset',
      sort: ['id'],
      addPrimaryKey: false,
      descending: false,
    });
    expect(planPaging(['-id'], ['*'], 'id', 'string')).toMatchObject({ mode: 'offset', sort: ['-id'] });
  });
});

describe('nextPage', () => {
  const keyset = planPaging(undefined, ['*'], 'id', 'integer');
  it('starts without a key, then filters after the last key under the caller filter', () => {
    expect(nextPage(keyset, 'id', undefined, { lastKey: undefined, rowsRead: 0 }, 10)).toEqual({
      sort: ['id'],
      limit: 10,
    });
    expect(nextPage(keyset, 'id', { status: { _eq: 'open' } }, { lastKey: 'k', rowsRead: 10 }, 10)).toEqual({
      filter: { _and: [{ status: { _eq: 'open' } }, { id: { _gt: 'k' } }] },
      sort: ['id'],
      limit: 10,
    });
    expect(
      nextPage(planPaging(['-id'], ['*'], 'id', 'integer'), 'id', undefined, { lastKey: 5, rowsRead: 1 }, 10),
    ).toEqual({
      filter: { id: { _lt: 5 } },
      sort: ['-id'],
      limit: 10,
    });
  });
  it('offsets by the rows read otherwise', () => {
    const plan = planPaging(['subject'], ['*'], 'id', 'integer');
    expect(nextPage(plan, 'id', { a: { _eq: 1 } }, { lastKey: 3, rowsRead: 20 }, 10)).toEqual({
      filter: { a: { _eq: 1 } },
      sort: ['subject', 'id'],
      limit: 10,
      offset: 20,
    });
    expect(nextPage(plan, 'id', undefined, { lastKey: 3, rowsRead: 0 }, 10)).toEqual({
      sort: ['subject', 'id'],
      limit: 10,
      offset: 0,
    });
  });
});

describe('pageSize', () => {
  it('caps by the overall limit', () => {
    expect(pageSize(-1, 1e6)).toBe(5000);
    expect(pageSize(12, 10, 5)).toBe(2);
    expect(pageSize(10, 10)).toBe(0);
  });
});

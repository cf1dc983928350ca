import { describe, expect, it } from '@jest/globals';
import type { Table } from './parse.js';
import { planColumns, planRows, type CollectionInfo } from './plan.js';
import {
  distinctNames,
  MAX_NAME_LENGTH,
  namesOf,
  storedNames,
  unknownNameErrors,
  vocabularyTargets,
} from './vocabulary.js';

describe('namesOf', () => {
  it('splits on , ; and |, trims, drops empties and repeats, keeps file order', () => {
    expect(namesOf(' billing, vip;billing |  urgent ,,')).toEqual({ ok: true, names: ['billing', 'vip', 'urgent'] });
  });
  it('reads a JSON array, in a cell or as a JSON file gives it', () => {
    expect(namesOf('["a, b","c"]')).toEqual({ ok: true, names: ['a, b', 'c'] });
    expect(namesOf(['x', ' y ', 'x', 3])).toEqual({ ok: true, names: ['x', 'y', '3'] });
  });
  it('is null for an empty cell or a cell of separators only', () => {
    for (const empty of [null, undefined, '', '  ', ' , ;|', []])
      expect(namesOf(empty)).toEqual({ ok: true, names: null });
  });
  it('refuses what is not a list of names', () => {
    expect(namesOf('[1,')).toMatchObject({ ok: false, code: 'INVALID_TYPE' });
    expect(namesOf('["a",{"b":1}]')).toMatchObject({ ok: false, message: 'Every name must be text.' });
    expect(namesOf('[')).toMatchObject({ ok: false });
    expect(namesOf('{"a":1}')).toMatchObject({ ok: true, names: ['{"a":1}'] });
    expect(namesOf({ a: 1 })).toMatchObject({ ok: false });
    expect(namesOf(true)).toMatchObject({ ok: false });
    expect(namesOf(['a', null])).toMatchObject({ ok: false });
    expect(namesOf('x'.repeat(MAX_NAME_LENGTH + 1))).toMatchObject({ ok: false });
    expect(namesOf('x'.repeat(MAX_NAME_LENGTH))).toMatchObject({ ok: true });
  });
  it('takes numbers in a JSON array as names', () => {
    expect(namesOf('[1, "2"]')).toEqual({ ok: true, names: ['1', '2'] });
    expect(namesOf(42)).toEqual({ ok: true, names: ['42'] });
  });
});

describe('vocabularyTargets', () => {
  it('reads collection.field and which fields create missing names', () => {
    expect(vocabularyTargets({ tags: 'tags.name', labels: 'labels.slug' }, ['tags'])).toEqual({
      ok: true,
      targets: [
        { field: 'tags', collection: 'tags', key: 'name', create: true },
        { field: 'labels', collection: 'labels', key: 'slug', create: false },
      ],
    });
  });
  it('refuses create_missing for a field that is not a vocabulary, and a path that is not collection.field', () => {
    expect(vocabularyTargets({ tags: 'tags.name' }, ['labels'])).toMatchObject({ ok: false });
    expect(vocabularyTargets({ tags: 'tags' }, [])).toMatchObject({ ok: false });
    expect(vocabularyTargets({ tags: 'a.b.c' }, [])).toMatchObject({ ok: false });
  });
});

describe('names in rows', () => {
  const rows = [
    { row: 1, values: { tags: ['a', 'b'] } },
    { row: 2, values: { tags: null } },
    { row: 3, values: { tags: ['b', 'c'] } },
  ];
  const target = { field: 'tags', collection: 'tags', key: 'name' };
  it('lists each distinct name once, in first-use order', () => {
    expect(distinctNames(rows, 'tags')).toEqual(['a', 'b', 'c']);
  });
  it('gives one error per row that uses an unknown name, naming those names', () => {
    expect(unknownNameErrors(rows, target, new Set(['b']), 'VOCABULARY_NOT_FOUND', 'Not found')).toEqual([
      { row: 1, field: 'tags', code: 'VOCABULARY_NOT_FOUND', message: 'Not found: "a" (tags.name).' },
      { row: 3, field: 'tags', code: 'VOCABULARY_NOT_FOUND', message: 'Not found: "c" (tags.name).' },
    ]);
    expect(unknownNameErrors(rows, target, new Set(['a', 'b', 'c']), 'X', 'x')).toEqual([]);
  });
  it('stores a JSON array in a json field and text in a csv field', () => {
    expect(storedNames(['a', 'b'], 'json')).toEqual(['a', 'b']);
    expect(storedNames(['a', 'b'], 'csv')).toBe('a,b');
  });
});

describe('planRows with a vocabulary column', () => {
  const info: CollectionInfo = {
    collection: 'tickets',
    primary: 'id',
    fields: {
      id: { field: 'id', type: 'uuid', alias: false },
      subject: { field: 'subject', type: 'string', alias: false },
      tags: { field: 'tags', type: 'json', alias: false },
    },
  };
  it('reads the cell as names (not as JSON of the field type), and a bad list is a row error', () => {
    const table: Table = {
      columns: ['subject', 'tags'],
      rows: [
        { subject: 'one', tags: 'a; b' },
        { subject: 'two', tags: '[oops' },
        { subject: '', tags: '' },
      ],
    };
    const plan = planColumns(table.columns, info, {}, {});
    if (!plan.ok) throw new Error(plan.reason);
    plan.targets.find((target) => target.field === 'tags')!.vocabulary = true;
    const planned = planRows(table, plan.targets, info);
    expect(planned.rows).toEqual([
      { row: 1, values: { subject: 'one', tags: ['a', 'b'] } },
      { row: 2, values: { subject: 'two' } },
    ]);
    expect(planned.errors).toEqual([expect.objectContaining({ row: 2, field: 'tags', code: 'INVALID_TYPE' })]);
    expect(planned.skipped).toBe(1);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  chunksOf,
  decideActions,
  duplicatesInFile,
  keyOf,
  planColumns,
  planRows,
  type CollectionInfo,
} from './plan.js';

const info: CollectionInfo = {
  collection: 'tickets',
  primary: 'id',
  fields: {
    id: { field: 'id', type: 'uuid', alias: false },
    number: { field: 'number', type: 'integer', alias: false },
    subject: { field: 'subject', type: 'string', alias: false },
    organization: { field: 'organization', type: 'uuid', alias: false },
    messages: { field: 'messages', type: 'alias', alias: true },
  },
};

describe('planColumns', () => {
  it('maps headers to fields, renames and ignores by mapping, and marks natural keys', () => {
    expect(
      planColumns(['Title', 'organization', 'note'], info, { Title: 'subject', note: '' }, { organization: 'domain' }),
    ).toEqual({
      ok: true,
      targets: [
        { column: 'Title', field: 'subject', naturalKey: null },
        { column: 'organization', field: 'organization', naturalKey: 'domain' },
      ],
    });
  });

  it.each([
    [['subject', 'colour', 'messages'], {}, {}, /column\(s\) "colour", "messages"/],
    [['x'], { x: 'nope' }, {}, /"x" \(mapped to "nope"\)/],
    [['subject'], { y: 'subject' }, {}, /columns the file does not have: y/],
    [['subject', 'title'], { title: 'subject' }, {}, /both fill the field "subject"/],
    [['subject'], {}, { organization: 'domain' }, /no column fills: organization/],
    [['subject'], { subject: '' }, {}, /No column fills a field/],
  ])('refuses %j', (columns, mapping, relations, reason) => {
    const plan = planColumns(columns, info, mapping, relations);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(reason);
  });
});

describe('planRows', () => {
  it('coerces by field type, keeps natural keys as text, counts empty rows as skipped, and lists type errors', () => {
    const targets = [
      { column: 'number', field: 'number', naturalKey: null },
      { column: 'org', field: 'organization', naturalKey: 'domain' },
    ];
    const planned = planRows(
      {
        columns: ['number', 'org'],
        rows: [
          { number: '7', org: 'acme.example' },
          { number: '', org: '' },
          { number: 'x', org: 'b.example' },
        ],
      },
      targets,
      info,
    );
    expect(planned).toEqual({
      rows: [
        { row: 1, values: { number: 7, organization: 'acme.example' } },
        { row: 3, values: { organization: 'b.example' } },
      ],
      skipped: 1,
      errors: [{ row: 3, field: 'number', code: 'INVALID_TYPE', message: '"x" is not a whole number.' }],
    });
  });
});

describe('keys, duplicates and actions', () => {
  const rows = [
    { row: 1, values: { number: 1, subject: 'a' } },
    { row: 2, values: { number: 2, subject: 'b' } },
    { row: 3, values: { number: 1, subject: 'c' } },
    { row: 4, values: { number: null, subject: 'd' } },
  ];

  it('keys values, with null when a part is missing', () => {
    expect(keyOf({ a: 1, b: 'x' }, ['a', 'b'])).toBe('["1","x"]');
    expect(keyOf({ a: 1 }, ['a', 'b'])).toBeNull();
  });

  it('reports each repeat of a unique value inside the file, naming the first row', () => {
    expect(duplicatesInFile(rows, [['number'], ['id']])).toEqual([
      { row: 3, field: 'number', code: 'DUPLICATE_IN_FILE', message: 'The same number as row 1.' },
    ]);
  });

  it('inserts, updates or refuses per mode', () => {
    const existing = new Map<string, string | number>([['["1"]', 'id-1']]);
    const upsert = decideActions(rows.slice(0, 2), 'upsert', ['number'], existing);
    expect(upsert.actions.map((action) => action.kind)).toEqual(['update', 'insert']);
    expect(upsert.actions[0]).toMatchObject({ key: 'id-1' });
    expect(decideActions(rows.slice(0, 2), 'insert', ['number'], existing).errors).toEqual([
      expect.objectContaining({ row: 1, code: 'DUPLICATE_IN_DATABASE' }),
    ]);
    expect(decideActions(rows.slice(0, 2), 'update', ['number'], existing).errors).toEqual([
      expect.objectContaining({ row: 2, code: 'NOT_FOUND' }),
    ]);
    expect(decideActions([rows[3]!], 'update', ['number'], existing).errors).toEqual([
      expect.objectContaining({ row: 4, code: 'REQUIRED' }),
    ]);
    expect(decideActions([rows[3]!], 'upsert', ['number'], existing).actions).toEqual([
      { row: rows[3], kind: 'insert' },
    ]);
    expect(decideActions([rows[3]!], 'insert', [], existing).actions).toHaveLength(1);
  });

  it('chunks', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 2)).toEqual([]);
  });
});

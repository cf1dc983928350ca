import { describe, expect, it } from '@jest/globals';
import { coerceCell } from './coerce.js';

const ok = (value: unknown) => ({ ok: true, value });
const bad = { ok: false, code: 'INVALID_TYPE' };

describe('coerceCell', () => {
  it('reads empty cells and missing values as null', () => {
    expect(coerceCell('', 'integer')).toEqual(ok(null));
    expect(coerceCell('  ', 'string')).toEqual(ok(null));
    expect(coerceCell(undefined, 'string')).toEqual(ok(null));
    expect(coerceCell(null, 'uuid')).toEqual(ok(null));
  });

  it.each([
    ['42', 'integer', 42],
    [' -7 ', 'integer', -7],
    [12, 'integer', 12],
    ['9007199254740991', 'bigInteger', 9007199254740991],
    ['1.5', 'float', 1.5],
    ['.5e2', 'float', 50],
    [2.25, 'float', 2.25],
    ['10.10', 'decimal', '10.10'],
    [3, 'decimal', 3],
    ['Yes', 'boolean', true],
    ['0', 'boolean', false],
    [true, 'boolean', true],
    ['{"a":1}', 'json', { a: 1 }],
    [[1, 2], 'json', [1, 2]],
    ['0F8FAD5B-D9CB-469F-A165-70867728950E', 'uuid', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['2026-12-03', 'date', '2026-12-03'],
    ['2026-12-03T10:00:00Z', 'timestamp', '2026-12-03T10:00:00Z'],
    ['2026-12-03 10:00', 'dateTime', '2026-12-03 10:00'],
    ['09:30', 'time', '09:30'],
    ['  keep spaces ', 'string', '  keep spaces '],
    [5, 'string', '5'],
  ])('%j as %s is %j', (raw, type, value) => {
    expect(coerceCell(raw, type)).toEqual(ok(value));
  });

  it.each([
    ['4.2', 'integer'],
    ['99999999999', 'integer'],
    [1.5, 'integer'],
    ['1e400', 'float'],
    ['abc', 'float'],
    [Number.NaN, 'float'],
    ['maybe', 'boolean'],
    ['{nope', 'json'],
    ['123', 'uuid'],
    ['2026-13-45', 'date'],
    ['yesterday', 'timestamp'],
    [5, 'date'],
    ['9am', 'time'],
    [{ a: 1 }, 'string'],
    [[1], 'text'],
  ])('%j is not a %s', (raw, type) => {
    expect(coerceCell(raw, type)).toMatchObject(bad);
  });
});

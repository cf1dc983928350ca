import { describe, expect, it } from '@jest/globals';
import { exportQuery } from './contract.js';

describe('exportQuery', () => {
  it('defaults to CSV and all rows', () => {
    expect(exportQuery.parse({})).toEqual({ format: 'csv', limit: -1 });
  });
  it('accepts the Directus parameters', () => {
    expect(
      exportQuery.parse({ format: 'xlsx', fields: 'id,organization.name', filter: '{"a":{"_eq":1}}', limit: '5' }),
    ).toMatchObject({ format: 'xlsx', limit: 5 });
  });
  it.each([
    { format: 'xml' },
    { filter: '[1]' },
    { filter: '{bad' },
    { limit: '0' },
    { limit: '-2' },
    { limit: 'x' },
    { offset: '10' },
  ])('refuses %j', (input) => {
    expect(exportQuery.safeParse(input).success).toBe(false);
  });
});

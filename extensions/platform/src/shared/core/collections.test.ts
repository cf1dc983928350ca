import { describe, expect, it } from '@jest/globals';
import { isDataCollection } from './collections.js';

describe('isDataCollection', () => {
  const schema = { collections: { tickets: {}, directus_users: {} } };

  it('takes a collection of the schema and refuses system collections and unknown names', () => {
    expect(isDataCollection(schema, 'tickets')).toBe(true);
    expect(isDataCollection(schema, 'directus_users')).toBe(false);
    expect(isDataCollection(schema, 'nope')).toBe(false);
  });

  // Found by the fuzz (seed 431192641): POST /groundwork/v1/exports/constructor answered 500.
  it('refuses every name a plain object inherits', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'])
      expect(isDataCollection(schema, name)).toBe(false);
  });
});

// The search version's migrate.ts builds its index from a self-contained copy of the platform's document expression;
// the route queries with the platform's. They must agree byte for byte, or PostgreSQL stops using the index.
import { describe, expect, it } from '@jest/globals';
import { validateSearchConfig } from '../../../platform/src/search/core/config.js';
import { documentExpression } from '../../../platform/src/search/core/sql.js';
import { searchCollections } from './collections.js';
import { documentExpression as migrateDocumentExpression } from './migrate.js';

describe('search version', () => {
  it('its rows are valid platform search configuration', () => {
    expect(validateSearchConfig(searchCollections).ok).toBe(true);
  });

  it.each(searchCollections.map((row) => [row.collection, row] as const))(
    '%s: the migration indexes the expression the route queries',
    (_collection, row) => {
      expect(migrateDocumentExpression(row)).toBe(documentExpression(row as never));
    },
  );
});

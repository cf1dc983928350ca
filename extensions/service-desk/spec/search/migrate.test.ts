// The search version's migrate.ts stores documents with a self-contained copy of the platform's document expression;
// the route rechecks matches on readable fields with the platform's. They must agree, or a caller who may read every
// field would find other rows than one who may not.
import { describe, expect, it } from '@jest/globals';
import { validateSearchConfig } from '../../../platform/src/search/core/config.js';
import { documentExpression, documentTable, vocabularyTable } from '../../../platform/src/search/core/sql.js';
import { searchCollections } from './collections.js';
import {
  documentExpression as insertStatementDocumentExpression,
  documentTable as insertStatementDocumentTable,
} from '../search-insert-statement/migrate.js';
import {
  documentExpression as vocabularyDocumentExpression,
  documentTable as vocabularyDocumentTable,
  vocabularyTable as vocabularyVocabularyTable,
} from '../search-vocabulary/migrate.js';
import { documentExpression as migrateDocumentExpression, documentTable as migrateDocumentTable } from './migrate.js';

describe('search version', () => {
  it('its rows are valid platform search configuration', () => {
    expect(validateSearchConfig(searchCollections).ok).toBe(true);
  });

  it.each(searchCollections.map((row) => [row.collection, row] as const))(
    '%s: the migration stores the document the route rechecks with, where the route reads it',
    (_collection, row) => {
      expect(migrateDocumentExpression(row)).toBe(documentExpression(row as never));
      expect(migrateDocumentTable(row.collection)).toBe(documentTable(row.collection));
      // The search-insert-statement version's migration (the search's data migration since) stores the same.
      expect(insertStatementDocumentExpression(row)).toBe(documentExpression(row as never));
      expect(insertStatementDocumentTable(row.collection)).toBe(documentTable(row.collection));
      // The search-vocabulary version's (the search's data migration since), and where its vocabulary is.
      expect(vocabularyDocumentExpression(row)).toBe(documentExpression(row as never));
      expect(vocabularyDocumentTable(row.collection)).toBe(documentTable(row.collection));
      expect(vocabularyVocabularyTable(row.collection)).toBe(vocabularyTable(row.collection));
    },
  );
});

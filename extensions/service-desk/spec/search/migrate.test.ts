// The search version's migrate.ts stores documents with a self-contained copy of the platform's document expression;
// the route rechecks matches on readable fields with the platform's. They must agree, or a caller who may read every
// field would find other rows than one who may not.
import { describe, expect, it } from '@jest/globals';
import { validateSearchConfig } from '../../../platform/src/search/core/config.js';
import {
  documentExpression,
  documentTable,
  searchableText,
  vocabularyTable,
} from '../../../platform/src/search/core/sql.js';
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
import { documentTable as positionDocumentTable } from '../search-position/migrate.js';
import { documentExpression as migrateDocumentExpression, documentTable as migrateDocumentTable } from './migrate.js';

describe('search version', () => {
  it('its rows are valid platform search configuration', () => {
    expect(validateSearchConfig(searchCollections).ok).toBe(true);
  });

  it.each(searchCollections.map((row) => [row.collection, row] as const))(
    '%s: the migration stores the document the route rechecks with, where the route reads it',
    (_collection, row) => {
      // The search-vocabulary version's migration is the search's data migration: it stores the route's document.
      expect(vocabularyDocumentExpression(row)).toBe(documentExpression(row as never));
      // The released versions before it stored the text as PostgreSQL parsed it, hyphens before digits included
      // (decision 0080); search-vocabulary reparses those rows. Otherwise their documents and tables are the same.
      const beforeReparsing = (expression: string) =>
        row.fields.reduce(
          (text, { field }) => text.replaceAll(searchableText(`"${field}"`), `coalesce("${field}"::text, '')`),
          expression,
        );
      expect(migrateDocumentExpression(row)).toBe(beforeReparsing(documentExpression(row as never)!));
      expect(migrateDocumentTable(row.collection)).toBe(documentTable(row.collection));
      expect(insertStatementDocumentExpression(row)).toBe(beforeReparsing(documentExpression(row as never)!));
      expect(insertStatementDocumentTable(row.collection)).toBe(documentTable(row.collection));
      expect(vocabularyDocumentTable(row.collection)).toBe(documentTable(row.collection));
      expect(vocabularyVocabularyTable(row.collection)).toBe(vocabularyTable(row.collection));
      // search-position numbers the same tables the route walks in position order (decision 0082).
      expect(positionDocumentTable(row.collection)).toBe(documentTable(row.collection));
    },
  );
});

// Version search-insert-statement (issue 11): the search documents of inserted rows written by one statement trigger
// per insert statement instead of one row trigger per row, for every search collection
// (extensions/service-desk/spec/search-insert-statement/migrate.ts, which from now on is the search's data migration).
// Bulk writes (imports, seeds) paid a document insert per row; updates keep the row trigger. Stored documents are kept.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'search-insert-statement',
  dataMigration: path.join(here, '..', 'search-insert-statement', 'migrate.ts'),
  async author() {
    // No schema change: the triggers are made by the data migration.
  },
};

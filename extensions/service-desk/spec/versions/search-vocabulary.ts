// Version search-vocabulary (issue 12, decision 0079): typo tolerance through a vocabulary of each search
// collection's typo-field words with a trigram index, kept by the search triggers
// (extensions/service-desk/spec/search-vocabulary/migrate.ts, which from now on is the search's data migration); the
// trigram indexes on the typo fields themselves are dropped. Stored documents are kept, but those of rows with a
// hyphen before a digit, which the text's new parsing reads otherwise (decision 0080).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'search-vocabulary',
  dataMigration: path.join(here, '..', 'search-vocabulary', 'migrate.ts'),
  async author() {
    // No schema change: the vocabulary and its triggers are made by the data migration.
  },
};

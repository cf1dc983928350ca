// Version search-position (issue 12, decision 0082): the stored documents numbered as they are first stored, with an
// index, so that past the search's cap the most recently indexed candidates are ranked
// (extensions/service-desk/spec/search-position/migrate.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'search-position',
  dataMigration: path.join(here, '..', 'search-position', 'migrate.ts'),
  async author() {
    // No schema change: the column and its index are made by the data migration.
  },
};

// Version search (issue 12, decision 0039): the service desk's rows of the platform's search_collections
// (configuration data, carried by snapshots) and, in the data migration, pg_trgm and the indexes those rows need.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchCollections } from '../search/collections.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'search',
  dataMigration: path.join(here, '..', 'search', 'migrate.ts'),
  async author(send, log) {
    for (const row of searchCollections) await send('POST', '/items/search_collections', row);
    log(`search: ${searchCollections.map((row) => row.collection).join(', ')}`);
  },
};

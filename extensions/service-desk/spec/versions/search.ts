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
    // The typo fields get a one-column trigram index in the data migration; Directus reports any one-column index
    // as the field's `is_indexed` (decision 0031), so the version says so too: otherwise that index is drift, and a
    // later schema apply could drop it.
    for (const row of searchCollections) {
      for (const entry of row.fields) {
        if ('typo' in entry && entry.typo)
          await send('PATCH', `/fields/${row.collection}/${entry.field}`, { schema: { is_indexed: true } });
      }
    }
    for (const row of searchCollections) await send('POST', '/items/search_collections', row);
    log(`search: ${searchCollections.map((row) => row.collection).join(', ')}`);
  },
};

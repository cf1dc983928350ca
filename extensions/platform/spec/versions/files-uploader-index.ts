// Platform version `files-uploader-index`: an index on Directus's own directus_files for the storage quota's sum of
// an owner's bytes (decision 0047), so a quota check stays an index scan however many files are stored.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'files-uploader-index',
  dataMigration: path.join(here, '..', 'files-uploader-index', 'migrate.ts'),
  async author() {
    // No schema change: the index is made by the data migration.
  },
};

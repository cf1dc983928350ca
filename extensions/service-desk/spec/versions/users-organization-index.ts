// Version users-organization-index (issue 15, storage quotas): an index for "the users of this organization", which
// the organization's storage quota reads on every customer upload (extensions/service-desk/spec/users-organization-index/migrate.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'users-organization-index',
  dataMigration: path.join(here, '..', 'users-organization-index', 'migrate.ts'),
  async author() {
    // No schema change: the index is made by the data migration.
  },
};

// Version sla-watch-index (issue 14): the index of the tickets the SLA job still watches, open, unpaused and not yet
// breached (extensions/service-desk/spec/sla-watch-index/migrate.ts, decision 0070).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'sla-watch-index',
  dataMigration: path.join(here, '..', 'sla-watch-index', 'migrate.ts'),
  async author() {
    // No schema change: the index is made by the data migration.
  },
};

// Version reports (issue 12, decision 0044): the ticket rollups as read-only collections with their read
// permissions (./reports/rollups.ts), and, in the data migration, the triggers that keep them, their backfill and the
// report definitions the platform's /groundwork/v1/reports route runs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollupCollections, rollupPermissions } from '../reports/rollups.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'reports',
  dataMigration: path.join(here, '..', 'reports', 'migrate.ts'),
  async author(send, log) {
    for (const spec of rollupCollections) {
      const fields = spec.fields.map((field, index) => ({ ...field, meta: { ...field.meta, sort: index + 1 } }));
      await send('POST', '/collections', { collection: spec.collection, meta: spec.meta, schema: {}, fields });
      log(`collection ${spec.collection} (${fields.length} fields)`);
    }
    await send('POST', '/permissions', rollupPermissions);
    log(`${rollupPermissions.length} read permissions`);
  },
};

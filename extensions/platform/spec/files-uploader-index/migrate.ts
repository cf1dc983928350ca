// Data migration of platform version `files-uploader-index`: storage quotas (files/quota.ts) sum `filesize` over an
// owner's files on every upload, by `uploaded_by` (a user, or an organization's users), inside the upload's locked
// transaction. Without an index that sum read all of directus_files; this one answers it from the index alone. A
// two-column index is invisible to Directus's schema snapshot: no drift (decision 0031).
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw(
    'create index if not exists directus_files_uploaded_by_size on directus_files (uploaded_by, filesize)',
  );
}

// Data migration of the users-organization-index version (copied into snapshots/NNNN-users-organization-index/ by the
// authoring script): an organization's storage quota (attachments/quota.ts) sums the bytes of its users' files on
// every customer upload, inside the upload's locked transaction, and finds those users by `organization`, which
// had no index: a full read of directus_users per upload. Two columns (organization, id): the users' ids come from
// the index alone, and Directus never reads a two-column index as a field's `is_indexed`, so a later schema apply
// leaves it alone (decision 0031). `if not exists`, as the list indexes, for an operator who built it concurrently.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw('create index if not exists directus_users_organization_id on directus_users (organization, id)');
}

// Data migration of the least-privilege version (copied into the version folder by the authoring script).
// Administrators must set up TOTP (enforce_tfa, decision 0014). The bootstrap admin's policy has a different id on
// every database and snapshots carry it as a placeholder without its settings, so it is found by admin access.
// Directus 11.17.4 enforces this in the admin app (it sends a user without TOTP to /tfa-setup); API logins with a
// password alone keep working until the user has TOTP, so scripts and tests logging in as the admin are unaffected.
import type { Knex } from 'knex';

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database('directus_policies').update({ enforce_tfa: true }).where({ admin_access: true });
}

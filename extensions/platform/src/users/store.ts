// Reads of the users capability: a user's status and role, and what decides their access (roles, policies' flags).
import type { Knex } from 'knex';
import type { AccessRow, RoleRow, UserRow } from './core/current-access.js';

export interface AccessFacts {
  user: UserRow;
  roles: RoleRow[];
  rows: AccessRow[];
}

export function createUsersStore(database: Knex) {
  return {
    /** One primary-key read: the cheap check made on every HTTP request (memoised per second by the caller). */
    async userRow(id: string): Promise<UserRow | null> {
      const row = (await database('directus_users').where({ id }).first('id', 'status', 'role')) as UserRow | undefined;
      return row ?? null;
    },

    /** Users with everything their access derives from, in three reads whatever the number of users. */
    async accessFacts(ids: readonly string[]): Promise<Map<string, AccessFacts | null>> {
      const found = new Map<string, AccessFacts | null>(ids.map((id) => [id, null]));
      if (ids.length === 0) return found;
      const users = (await database('directus_users').whereIn('id', ids).select('id', 'status', 'role')) as UserRow[];
      if (users.length === 0) return found;
      // Both tables are small (roles, and role/user-policy links): read whole rather than walk the tree per level.
      const roles = (await database('directus_roles').select('id', 'parent')) as RoleRow[];
      const rows = (await database('directus_access as a')
        .leftJoin('directus_policies as p', 'p.id', 'a.policy')
        .whereNotNull('a.role')
        .orWhereIn('a.user', ids)
        .select('a.role', 'a.user', 'p.admin_access', 'p.app_access', 'p.ip_access')) as AccessRow[];
      for (const user of users) found.set(user.id, { user, roles, rows });
      return found;
    },
  };
}

export type UsersStore = ReturnType<typeof createUsersStore>;

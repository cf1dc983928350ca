// Who the platform tells about trouble (a security burst, a webhook endpoint disabled): every active user with admin
// access, through their role's policies or their own.
import type { Knex } from 'knex';

export async function activeAdminIds(database: Knex): Promise<string[]> {
  const rows = (await database('directus_users as u')
    .join('directus_access as a', (join) => join.on('a.role', 'u.role').orOn('a.user', 'u.id'))
    .join('directus_policies as p', 'p.id', 'a.policy')
    .where('p.admin_access', true)
    .where('u.status', 'active')
    .distinct('u.id')) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

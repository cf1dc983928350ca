// The domain notions the service desk's notification rules name. The platform reads no domain column (decision
// 0028): `{ organization: 'ticket.organization' }` in a rule reaches the users whose `organization` is that id.
import type { Knex } from 'knex';
import { platform } from './platform.js';

export async function organizationMembers(db: Knex, organizations: string[]) {
  return db('directus_users')
    .whereIn('organization', organizations)
    .select<Array<{ value: string; user: string }>>({ value: 'organization', user: 'id' });
}

export function registerAudienceGroups(): void {
  platform().notifications.registerAudienceGroup('organization', organizationMembers);
}

// TEST ONLY: the fixture domain's audience group, registered through the platform API the way a domain bundle does
// (extensions/service-desk/src/audience-groups.ts). The platform reads no domain table: it asks this resolver.
import type { Knex } from 'knex';
import type { GroundworkPlatform } from '../../../../extensions/platform/src/platform-api.js';
import { PROJECT_MEMBERS_GROUP } from '../../../fixtures/domain/model.js';

/** The owners of each project's tasks: rows of (project, user). */
export async function projectMembers(db: Knex, projects: string[]) {
  return db('tasks')
    .whereIn('project', projects)
    .whereNotNull('owner')
    .distinct<Array<{ value: string; user: string }>>({ value: 'project', user: 'owner' });
}

/** Read lazily (in init), so bundle load order does not matter; only the platform's types are imported. */
export function registerAudienceGroups(): void {
  const api = (globalThis as Record<symbol, unknown>)[Symbol.for('groundwork.platform')] as
    | GroundworkPlatform
    | undefined;
  if (!api) throw new Error('the platform extension is not loaded');
  api.notifications.registerAudienceGroup(PROJECT_MEMBERS_GROUP, projectMembers);
}

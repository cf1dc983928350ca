// TEST ONLY: the fixture domain's workflow guard, registered through the platform's registry the way a domain
// bundle does (extensions/service-desk/src/workflow-guards/register.ts), and its audience group (audience-groups.ts).
import { defineHook } from '@directus/extensions-sdk';
import { registerGuard } from '../../../../extensions/platform/src/workflows/guards.js';
import { ESTIMATED_GUARD } from '../../../fixtures/domain/model.js';
import { registerAudienceGroups } from './audience-groups.js';

export default defineHook((register) => {
  registerGuard(ESTIMATED_GUARD, {
    fields: ['estimate'],
    check: ({ item }) => (item.estimate === null || item.estimate === undefined ? 'the task has no estimate' : null),
  });
  register.init('app.before', registerAudienceGroups);
});

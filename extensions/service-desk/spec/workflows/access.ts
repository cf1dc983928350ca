// Who may read workflow definitions and history (staff; editors only the knowledge base's history), and the
// field grants the domain's workflows need. Nobody but admins writes definitions; history is written only by the
// database trigger, so no policy may create, update or delete it.
import { POLICY, type PermissionSpec } from '../service-desk/access.js';

const ALL = ['*'];

export const newPermissions: PermissionSpec[] = [
  ...[POLICY.manager, POLICY.agent, POLICY.contentEditor].map(
    (policy): PermissionSpec => ({ policy, collection: 'workflow_definitions', action: 'read', fields: ALL }),
  ),
  { policy: POLICY.manager, collection: 'workflow_history', action: 'read', fields: ALL },
  { policy: POLICY.agent, collection: 'workflow_history', action: 'read', fields: ALL },
  {
    policy: POLICY.contentEditor,
    collection: 'workflow_history',
    action: 'read',
    fields: ALL,
    permissions: { collection: { _eq: 'kb_articles' } },
  },
];

/** Fields added to existing permissions of the service-desk version: (policy, collection, action) → fields. */
export const widenedPermissions: { policy: string; collection: string; action: string; add: string[] }[] = [
  // Customers reopen solved tickets (the workflow limits them to that move, within 7 days).
  { policy: POLICY.customer, collection: 'tickets', action: 'update', add: ['status', 'workflow_comment'] },
  { policy: POLICY.agent, collection: 'kb_articles', action: 'update', add: ['workflow_comment'] },
];

// Platform version `navigation` (issue 14 item 8): the platform's collections move out of the domain's list in the
// admin app into a folder of their own, "Platform" (closed by default: configuration staff rarely open), under
// names people read instead of Directus's title-cased table names.
import { arrangeNavigation, type NavigationFolder, type VersionAuthor } from '../types.js';

export const platformFolder: NavigationFolder = {
  folder: 'groundwork_platform',
  name: 'Platform',
  icon: 'settings_suggest',
  sort: 100,
  collapsed: true,
  collections: [
    { collection: 'workflow_definitions', singular: 'Workflow definition', plural: 'Workflow definitions' },
    { collection: 'workflow_history', singular: 'Workflow history entry', plural: 'Workflow history' },
    { collection: 'notification_rules', singular: 'Notification rule', plural: 'Notification rules' },
    { collection: 'notification_templates', singular: 'Notification template', plural: 'Notification templates' },
    {
      collection: 'notification_preferences',
      singular: 'Notification preference',
      plural: 'Notification preferences',
    },
    { collection: 'notification_outbox', singular: 'Outgoing notification', plural: 'Notification outbox' },
  ],
};

export const version: VersionAuthor = {
  name: 'navigation',
  async author(send, log) {
    await arrangeNavigation(send, log, [platformFolder]);
  },
};

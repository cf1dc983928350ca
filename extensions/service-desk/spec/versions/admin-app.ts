// Version admin-app (issue 14 item 8), two changes to how staff see the service desk in the admin app:
// - its collections in the navigation, in two folders in the order staff use them ("Service desk" first, then
//   "Knowledge base"), under names people read ("SLA policies", not Directus's title-cased "Sla Policies"); the
//   platform's own collections sit in its "Platform" folder (the platform's version `navigation`);
// - the status of tickets and articles edited with the platform's "Workflow state" interface, which offers only the
//   moves the signed-in user may make now, with the item's recent history (the status dropdown offered every state,
//   and the write was then refused).
import { arrangeNavigation, type NavigationFolder } from '../../../platform/spec/types.js';
import type { VersionAuthor } from './types.js';

export const domainFolders: NavigationFolder[] = [
  {
    folder: 'service_desk',
    name: 'Service desk',
    icon: 'support_agent',
    sort: 1,
    collections: [
      { collection: 'tickets', singular: 'Ticket', plural: 'Tickets' },
      { collection: 'ticket_messages', singular: 'Ticket message', plural: 'Ticket messages' },
      { collection: 'organizations', singular: 'Organization', plural: 'Organizations' },
      { collection: 'sla_policies', singular: 'SLA policy', plural: 'SLA policies' },
      { collection: 'tags', singular: 'Tag', plural: 'Tags' },
    ],
  },
  {
    folder: 'knowledge_base',
    name: 'Knowledge base',
    icon: 'menu_book',
    sort: 2,
    collections: [
      { collection: 'kb_articles', singular: 'Article', plural: 'Articles' },
      { collection: 'kb_categories', singular: 'Category', plural: 'Categories' },
    ],
  },
];

/** The collections whose state field the platform's workflow interface edits. */
const workflowStateFields = [
  { collection: 'tickets', field: 'status' },
  { collection: 'kb_articles', field: 'status' },
];

export const version: VersionAuthor = {
  name: 'admin-app',
  async author(send, log) {
    await arrangeNavigation(send, log, domainFolders);
    for (const { collection, field } of workflowStateFields) {
      await send('PATCH', `/fields/${collection}/${field}`, {
        meta: { interface: 'groundwork-workflow-state' },
      });
    }
    log(`workflow state interface: ${workflowStateFields.map((f) => `${f.collection}.${f.field}`).join(', ')}`);
  },
};

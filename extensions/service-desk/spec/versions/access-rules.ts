// Version access-rules (on top of service-desk): customer replies, readable attachments, nested replies through a
// ticket. Self-contained: it creates only what it owns and finds 0002's customer ticket-update permission by its
// identity (policy, collection, action). The customer-reply rule itself is a hook (extensions/service-desk/src/
// replies/): a permission cannot check the organization of the ticket a new message points to.
import { POLICY, type PermissionSpec } from '../service-desk/access.js';
import type { VersionAuthor } from './types.js';

const MY_ORG = '$CURRENT_USER.organization';
export const PUBLIC_MESSAGE_OF_MY_ORG = {
  _and: [{ ticket: { organization: { _eq: MY_ORG } } }, { internal: { _eq: false } }],
};

/** Fields a customer may read of a file: what a download link needs, never the storage location. */
export const CUSTOMER_FILE_FIELDS = [
  'id',
  'title',
  'filename_download',
  'type',
  'filesize',
  'width',
  'height',
  'uploaded_on',
  'modified_on',
];

/** 0002's customer update of tickets, widened by `messages` so a customer can reply through their ticket. */
export const CUSTOMER_TICKET_UPDATE_FIELDS = ['satisfaction', 'messages'];

export const permissions: PermissionSpec[] = [
  {
    // Replies: the hook decides the ticket; internal and author are listed so it can force them, and validated.
    policy: POLICY.customer,
    collection: 'ticket_messages',
    action: 'create',
    fields: ['ticket', 'body', 'internal', 'author'],
    validation: { _and: [{ internal: { _eq: false } }, { author: { _eq: '$CURRENT_USER' } }] },
    presets: { internal: false, author: '$CURRENT_USER' },
  },
  {
    policy: POLICY.customer,
    collection: 'ticket_messages_files',
    action: 'read',
    fields: ['id', 'ticket_messages_id', 'directus_files_id'],
    permissions: { ticket_messages_id: PUBLIC_MESSAGE_OF_MY_ORG },
  },
  {
    // Files attached to a public message of a ticket of their organization, and nothing else (no uploads: see
    // docs/decisions/0007-customer-replies-by-hook-attachments-read-only.md).
    policy: POLICY.customer,
    collection: 'directus_files',
    action: 'read',
    fields: CUSTOMER_FILE_FIELDS,
    // Through directus_files.ticket_message: Directus 11.17.4 compiles a one-to-many permission filter (an alias or
    // `$FOLLOW`) to an invalid SQL CASE when the permission also limits fields, so the rule follows a many-to-one.
    permissions: { ticket_message: PUBLIC_MESSAGE_OF_MY_ORG },
  },
];

export const version: VersionAuthor = {
  name: 'access-rules',
  async author(send, log) {
    // tickets.messages: the o2m side of ticket_messages.ticket, for the admin app's ticket form and nested replies.
    await send('POST', '/fields/tickets', {
      field: 'messages',
      type: 'alias',
      meta: {
        special: ['o2m'],
        interface: 'list-o2m',
        options: { template: '{{author.first_name}} {{author.last_name}}: {{body}}', enableLink: true },
        note: 'Replies and internal notes, oldest first',
        width: 'full',
      },
    });
    // Directus rebuilds the foreign key on a relation update, so the update repeats the whole relation of 0002.
    await send('PATCH', '/relations/ticket_messages/ticket', {
      collection: 'ticket_messages',
      field: 'ticket',
      related_collection: 'tickets',
      schema: { on_delete: 'CASCADE' },
      meta: { one_field: 'messages' },
    });
    log('tickets.messages (o2m to ticket_messages)');

    // directus_files.ticket_message: the message a file was first attached to, kept by the service-desk hook
    // (extensions/service-desk/src/attachments/); the customer file rule follows it.
    await send('POST', '/fields/directus_files', {
      field: 'ticket_message',
      type: 'uuid',
      schema: { is_nullable: true },
      meta: {
        special: ['m2o'],
        interface: 'select-dropdown-m2o',
        hidden: true,
        readonly: true,
        note: 'The message this file was first attached to (set by the service desk)',
      },
    });
    await send('POST', '/relations', {
      collection: 'directus_files',
      field: 'ticket_message',
      related_collection: 'ticket_messages',
      schema: { on_delete: 'SET NULL' },
    });
    log('directus_files.ticket_message (m2o to ticket_messages)');

    const found = (await send(
      'GET',
      `/permissions?filter[policy][_eq]=${POLICY.customer}&filter[collection][_eq]=tickets&filter[action][_eq]=update&fields=id`,
    )) as Array<{ id: number }>;
    if (found.length !== 1)
      throw new Error(`expected one customer update permission on tickets, found ${found.length}`);
    await send('PATCH', `/permissions/${found[0]!.id}`, { fields: CUSTOMER_TICKET_UPDATE_FIELDS });
    await send('POST', '/permissions', permissions);
    log(
      `customer ticket update widened to ${CUSTOMER_TICKET_UPDATE_FIELDS.join(', ')}; ${permissions.length} permissions`,
    );
  },
};

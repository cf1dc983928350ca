// Version customer-attachments (issue 15 item 2, decision 0047, superseding 0007): customers upload files through
// the platform's checked upload (POST /files) and attach them to their own public messages; organizations get a
// storage quota override. Self-contained: it finds the rows of earlier versions it changes by their identity
// (policy, collection, action) and repeats their whole new value. What a permission cannot check (that the file is
// the customer's own unattached upload and the message their own public one) is the attachments hook
// (extensions/service-desk/src/attachments/).
import { POLICY, ROLE, type PermissionSpec } from '../service-desk/access.js';
import { CUSTOMER_FILE_FIELDS, PUBLIC_MESSAGE_OF_MY_ORG } from './access-rules.js';
import { applyReplacements, sendReplacements, type Replacement } from './least-privilege.js';
import type { VersionAuthor } from './types.js';

/**
 * What a customer's upload writes with the customer's own permissions: Directus's uploadOne creates the row with
 * these (storage and folder are its defaults; the platform sets type and download name from the bytes and refuses
 * them from the client). Never filename_disk, nor the service desk's ticket_message link.
 */
export const CUSTOMER_UPLOAD_FIELDS = ['title', 'filename_download', 'type', 'storage', 'folder'];

/** Their unattached uploads: only the uploader sees them, until the hook links them to a message. */
const OWN_UNATTACHED_UPLOAD = {
  _and: [{ uploaded_by: { _eq: '$CURRENT_USER' } }, { ticket_message: { _null: true } }],
};

/** Customer files: attachments of public messages of their organization, and their own unattached uploads. */
export const CUSTOMER_FILE_READ_RULE = { _or: [{ ticket_message: PUBLIC_MESSAGE_OF_MY_ORG }, OWN_UNATTACHED_UPLOAD] };

/**
 * Content Editors read files that are not attachments (0004): now also not a customer's upload waiting to be
 * attached (a customer's file is for the ticket's staff). A file whose uploader was erased stays readable.
 */
export const EDITOR_FILE_READ_RULE = {
  _and: [
    { ticket_message: { _null: true } },
    { _or: [{ uploaded_by: { _null: true } }, { uploaded_by: { role: { _neq: ROLE.customer } } }] },
  ],
};

/** The customer's reply may carry its attachments (a nested create of junction rows). */
export const CUSTOMER_MESSAGE_CREATE_FIELDS = ['ticket', 'body', 'internal', 'author', 'attachments'];

export const permissions: PermissionSpec[] = [
  { policy: POLICY.customer, collection: 'directus_files', action: 'create', fields: CUSTOMER_UPLOAD_FIELDS },
  {
    // Which file and which message: the hook checks both in the write's transaction (a validation sees only keys).
    policy: POLICY.customer,
    collection: 'ticket_messages_files',
    action: 'create',
    fields: ['ticket_messages_id', 'directus_files_id'],
  },
];

export const replacements: Replacement[] = [
  {
    policy: POLICY.customer,
    collection: 'ticket_messages',
    action: 'create',
    change: { fields: CUSTOMER_MESSAGE_CREATE_FIELDS },
  },
  {
    policy: POLICY.customer,
    collection: 'directus_files',
    action: 'read',
    change: { fields: CUSTOMER_FILE_FIELDS, permissions: CUSTOMER_FILE_READ_RULE },
  },
  {
    policy: POLICY.contentEditor,
    collection: 'directus_files',
    action: 'read',
    change: { fields: ['*'], permissions: EDITOR_FILE_READ_RULE },
  },
];

/** The permission specs of the versions before, with this version's changes (for the access matrix). */
export const applyCustomerAttachments = (specs: PermissionSpec[]): PermissionSpec[] => [
  ...applyReplacements(specs, replacements),
  ...permissions,
];

export const version: VersionAuthor = {
  name: 'customer-attachments',
  async author(send, log) {
    // organizations.storage_quota: the organization's own limit (files/ quota, GROUNDWORK_FILES_OWNER_QUOTA else).
    await send('POST', '/fields/organizations', {
      field: 'storage_quota',
      type: 'bigInteger',
      schema: { is_nullable: true },
      meta: {
        interface: 'input',
        options: { min: 0 },
        note: 'Bytes its customers may store in uploads; empty: the default (GROUNDWORK_FILES_OWNER_QUOTA)',
        width: 'half',
      },
    });
    log('organizations.storage_quota');
    await sendReplacements(send, replacements);
    await send('POST', '/permissions', permissions);
    log(`${replacements.length} permissions changed, ${permissions.length} added (uploads, attaching)`);
  },
};

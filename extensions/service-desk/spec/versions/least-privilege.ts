// Version least-privilege (on top of 0003): each staff role gets what its job needs and nothing more (issue 10,
// finding 4), and TOTP is required for Managers and Administrators (finding 10). Self-contained: it only changes
// permissions and policies, finding each existing permission by its identity (policy, collection, action).
// Why the rules take this shape: docs/decisions/0014-least-privilege-staff-roles.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY, type PermissionSpec } from '../service-desk/access.js';
import type { Send, VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Fields the database or Directus sets on the domain's rows, never a caller: the ticket number and the audit
 * stamps, the SLA due times and state (trigger and SLA job), the workflow stamps (workflow trigger) and
 * `first_responded_at`. No non-admin policy lists them in a create or update permission.
 */
export const DATABASE_SET_FIELDS = [
  'number',
  'date_created',
  'user_created',
  'date_updated',
  'user_updated',
  'first_response_due_at',
  'resolution_due_at',
  'sla_state',
  'first_responded_at',
  'solved_at',
  'closed_at',
  'published_at',
];

/** What staff write on a ticket. `satisfaction` is the requester's rating, so staff do not set it. */
const STAFF_TICKET_UPDATE_FIELDS = [
  'subject',
  'description',
  'status',
  'priority',
  'channel',
  'organization',
  'requester',
  'assignee',
  'tags',
  'messages',
  'workflow_comment',
];
/**
 * On create also `id` (a uuid): GraphQL types a many-to-one input as the related create input when the caller may
 * create there, and links an existing ticket (a new message's `ticket: { id }`) only if `id` is in that input.
 */
export const STAFF_TICKET_FIELDS = ['id', ...STAFF_TICKET_UPDATE_FIELDS];
/** A staff message: the author is preset to the caller on creation and never changed afterwards. */
export const STAFF_MESSAGE_CREATE_FIELDS = ['ticket', 'body', 'internal', 'author', 'attachments'];
export const STAFF_MESSAGE_UPDATE_FIELDS = ['body', 'internal', 'attachments'];
/**
 * What Managers and Content Editors write on an article. `author` is not here: it is preset to the creator and
 * only an admin changes it, so the review guard's "not the author" cannot be dodged by renaming the author.
 */
export const ARTICLE_FIELDS = ['title', 'slug', 'summary', 'body', 'category', 'tags', 'status', 'reviewer'];
export const ARTICLE_UPDATE_FIELDS = [...ARTICLE_FIELDS, 'workflow_comment'];

/**
 * What staff may give when they upload a file (POST /files, /files/import): never `filename_disk` (Directus keeps a
 * client-supplied one, which would point the new row at other bytes) nor the service desk's `ticket_message` link.
 */
export const STAFF_FILE_WRITE_FIELDS = [
  'storage',
  'filename_download',
  'title',
  'type',
  'folder',
  'description',
  'tags',
  'location',
  'metadata',
  'focal_point_x',
  'focal_point_y',
  'charset',
  'duration',
  'embed',
  'width',
  'height',
  'filesize',
];
/** Not a file attached to a ticket message (the service desk sets the link when the junction row is made). */
const NOT_ATTACHMENT = { ticket_message: { _null: true } };
/**
 * Agents and editors change (or replace the bytes of, PATCH /files/:id multipart) only their own uploads that are
 * not yet attached to a message: an attachment is evidence in a ticket and stays as it was sent.
 */
const OWN_UNATTACHED_FILE = { _and: [{ uploaded_by: { _eq: '$CURRENT_USER' } }, NOT_ATTACHMENT] };

type Change = Omit<PermissionSpec, 'policy' | 'collection' | 'action'>;
/** An existing permission (found by policy, collection and action) and what it becomes. */
export interface Replacement {
  policy: string;
  collection: string;
  action: PermissionSpec['action'];
  change: Change;
}

const staffTickets = (policy: string): Replacement[] => [
  { policy, collection: 'tickets', action: 'create', change: { fields: STAFF_TICKET_FIELDS } },
  { policy, collection: 'tickets', action: 'update', change: { fields: STAFF_TICKET_UPDATE_FIELDS } },
  {
    policy,
    collection: 'ticket_messages',
    action: 'create',
    change: { fields: STAFF_MESSAGE_CREATE_FIELDS, presets: { author: '$CURRENT_USER' } },
  },
  { policy, collection: 'ticket_messages', action: 'update', change: { fields: STAFF_MESSAGE_UPDATE_FIELDS } },
];

export const replacements: Replacement[] = [
  ...staffTickets(POLICY.manager),
  ...staffTickets(POLICY.agent),
  ...[POLICY.manager, POLICY.contentEditor].flatMap((policy): Replacement[] => [
    {
      policy,
      collection: 'kb_articles',
      action: 'create',
      change: { fields: ARTICLE_FIELDS, presets: { author: '$CURRENT_USER' } },
    },
    { policy, collection: 'kb_articles', action: 'update', change: { fields: ARTICLE_UPDATE_FIELDS } },
  ]),
  // Managers keep every file (they handle what customers send), but upload without filename_disk either.
  {
    policy: POLICY.manager,
    collection: 'directus_files',
    action: 'create',
    change: { fields: STAFF_FILE_WRITE_FIELDS },
  },
  // Agents read every attachment (internal notes included: their job) and upload new files to attach.
  { policy: POLICY.agent, collection: 'directus_files', action: 'create', change: { fields: STAFF_FILE_WRITE_FIELDS } },
  {
    policy: POLICY.agent,
    collection: 'directus_files',
    action: 'update',
    change: { fields: STAFF_FILE_WRITE_FIELDS, permissions: OWN_UNATTACHED_FILE },
  },
  // Content Editors: the knowledge base only, so no ticket attachment at all (nor the junction, which they never had).
  {
    policy: POLICY.contentEditor,
    collection: 'directus_files',
    action: 'read',
    change: { fields: ['*'], permissions: NOT_ATTACHMENT },
  },
  {
    policy: POLICY.contentEditor,
    collection: 'directus_files',
    action: 'create',
    change: { fields: STAFF_FILE_WRITE_FIELDS },
  },
  {
    policy: POLICY.contentEditor,
    collection: 'directus_files',
    action: 'update',
    change: { fields: STAFF_FILE_WRITE_FIELDS, permissions: OWN_UNATTACHED_FILE },
  },
];

/** The permission specs of the versions before, with this version's replacements applied (for the access matrix). */
export function applyReplacements(specs: PermissionSpec[], list: Replacement[] = replacements): PermissionSpec[] {
  return specs.map((spec) => {
    const found = list.find(
      (r) => r.policy === spec.policy && r.collection === spec.collection && r.action === spec.action,
    );
    return found ? { ...spec, ...found.change } : spec;
  });
}

/** Makes each replacement: finds the one permission by policy, collection and action, and patches it. */
export async function sendReplacements(send: Send, list: Replacement[]): Promise<void> {
  for (const { policy, collection, action, change } of list) {
    const query = new URLSearchParams({
      'filter[policy][_eq]': policy,
      'filter[collection][_eq]': collection,
      'filter[action][_eq]': action,
      fields: 'id',
    });
    const found = (await send('GET', `/permissions?${query}`)) as Array<{ id: number }>;
    if (found.length !== 1) throw new Error(`expected one ${collection} ${action} permission of ${policy}`);
    await send('PATCH', `/permissions/${found[0]!.id}`, change);
  }
}

/** Policies whose users must set up TOTP (the Administrator's is found by its admin access at migrate time). */
export const ENFORCE_TFA_POLICIES = [POLICY.manager];

export const version: VersionAuthor = {
  name: 'least-privilege',
  // The bootstrap admin's policy has a different id on every database, and snapshots carry it as a placeholder
  // without its settings, so its enforce_tfa is set by the version's data migration.
  dataMigration: path.join(here, '..', 'least-privilege', 'migrate.ts'),
  async author(send, log) {
    await sendReplacements(send, replacements);
    log(`${replacements.length} permissions narrowed`);
    for (const policy of ENFORCE_TFA_POLICIES) await send('PATCH', `/policies/${policy}`, { enforce_tfa: true });
    log(`TOTP required for ${ENFORCE_TFA_POLICIES.length} policy (and the Administrator's, by the data migration)`);
  },
};

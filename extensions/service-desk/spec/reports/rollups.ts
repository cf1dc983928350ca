// The service desk's report rollups as Directus collections (decision 0044): read-only to everyone but admins (no
// create, update or delete permission), kept by the database's triggers (./migrate.ts). Their read permissions are who
// sees which report: managers and agents every row, a customer only their own organization's rows, the other roles
// none. Directus Insights can chart them like any collection.
import type { CollectionSpec, FieldSpec } from '../service-desk/schema.js';
import { POLICY, type PermissionSpec } from '../service-desk/access.js';

const readonly = { readonly: true, width: 'half' };
const serialKey: FieldSpec = {
  field: 'id',
  type: 'integer',
  meta: { hidden: true, readonly: true, interface: 'input' },
  schema: { is_primary_key: true, has_auto_increment: true },
};
const day: FieldSpec = {
  field: 'day',
  type: 'date',
  meta: { ...readonly, interface: 'datetime', display: 'datetime', note: 'The day (UTC) the tickets were created' },
};
const dimension = (field: string, type: 'string' | 'uuid', note: string): FieldSpec => ({
  field,
  type,
  meta: { ...readonly, interface: 'input', note },
});
const count = (field: string, note: string): FieldSpec => ({
  field,
  type: 'integer',
  meta: { ...readonly, interface: 'input', display: 'formatted-value', note },
  schema: { default_value: 0, is_nullable: true },
});

export const rollupCollections: CollectionSpec[] = [
  {
    collection: 'report_ticket_counts',
    meta: {
      icon: 'insights',
      note: 'Tickets per creation day, organization, status, priority, channel and assignee, with their ratings; kept by the database',
    },
    fields: [
      serialKey,
      day,
      dimension('organization', 'uuid', 'The organization (id)'),
      dimension('status', 'string', 'Current status'),
      dimension('priority', 'string', 'Current priority'),
      dimension('channel', 'string', 'Channel'),
      dimension('assignee', 'uuid', 'Current assignee (user id)'),
      count('tickets', 'Tickets'),
      count('csat_count', 'Tickets rated'),
      count('csat_sum', 'Sum of their ratings'),
      ...[1, 2, 3, 4, 5].map((rating) => count(`csat_${rating}`, `Tickets rated ${rating}`)),
    ],
  },
  {
    collection: 'report_ticket_times',
    meta: {
      icon: 'timer',
      note: 'First-response and resolution times as histograms per creation day, organization and priority; kept by the database',
    },
    fields: [
      serialKey,
      day,
      dimension('organization', 'uuid', 'The organization (id)'),
      dimension('priority', 'string', 'Current priority'),
      dimension('metric', 'string', 'first_response or resolution'),
      {
        field: 'bucket',
        type: 'integer',
        meta: { ...readonly, interface: 'input', note: 'Minutes in [1.2^bucket - 1, 1.2^(bucket+1) - 1)' },
      },
      count('tickets', 'Tickets'),
      count('within_sla', 'Of them, on or before the due time'),
      count('with_target', 'Of them, with a due time'),
    ],
  },
];

export const ROLLUPS = rollupCollections.map((spec) => spec.collection);

export const rollupPermissions: PermissionSpec[] = ROLLUPS.flatMap((collection) => [
  { policy: POLICY.manager, collection, action: 'read' as const, fields: ['*'] },
  { policy: POLICY.agent, collection, action: 'read' as const, fields: ['*'] },
  {
    policy: POLICY.customer,
    collection,
    action: 'read' as const,
    fields: ['*'],
    permissions: { organization: { _eq: '$CURRENT_USER.organization' } },
  },
]);

// The platform's workflow collections, as the Directus REST API takes them: the definitions (state machines of
// collections, rows a domain provides) and the history (written by the generated triggers).
import type { CollectionSpec, RelationSpec } from './types.js';

type Json = Record<string, unknown>;

const json = (field: string, note: string, required = true) => ({
  field,
  type: 'json',
  meta: {
    interface: 'input-code',
    options: { language: 'json' },
    special: ['cast-json'],
    width: 'full',
    note,
    required,
  },
  schema: { is_nullable: !required },
});
const text = (field: string, meta: Json = {}, schema: Json = {}) => ({
  field,
  type: 'string',
  meta: { interface: 'input', width: 'half', ...meta },
  schema: { max_length: 64, ...schema },
});

export const definitionsCollection: CollectionSpec = {
  collection: 'workflow_definitions',
  meta: {
    icon: 'account_tree',
    note: 'State machines of collections: states, transitions with roles and guards (checked on every write)',
    display_template: '{{collection}}',
    group: null,
  },
  fields: [
    text(
      'collection',
      { readonly: false, required: true, note: 'The collection this workflow governs', options: { font: 'monospace' } },
      { is_primary_key: true, length: 64, has_auto_increment: false },
    ),
    text('state_field', { required: true, note: 'The field holding the state' }, { is_nullable: false }),
    text('comment_field', { note: 'Optional field a write sets to comment a transition (cleared after)' }),
    json('states', 'All states, e.g. ["draft","published"]'),
    json('initial_states', 'States a new item may start in'),
    json(
      'transitions',
      'List of {name, from, to, roles: [role ids or "$system"], guards: [names], event?}; admins may make every move',
    ),
    json('stamps', 'Optional {state: timestamp field} set when an item enters the state', false),
  ],
};

export const historyCollection: CollectionSpec = {
  collection: 'workflow_history',
  meta: {
    icon: 'history',
    note: 'Every transition (written by the database in the transaction of the change; read-only)',
    display_template: '{{collection}} {{item}}: {{from}} → {{to}}',
    sort_field: null,
    accountability: null,
  },
  fields: [
    {
      field: 'id',
      type: 'bigInteger',
      meta: { hidden: true, readonly: true, interface: 'input' },
      schema: { is_primary_key: true, has_auto_increment: true },
    },
    text('collection', { readonly: true }, { is_nullable: false }),
    text('item', { readonly: true }, { is_nullable: false, max_length: 128 }),
    text('from', { readonly: true, note: 'Empty when the item was created' }),
    text('to', { readonly: true }, { is_nullable: false }),
    text('transition', { readonly: true }),
    {
      field: 'actor',
      type: 'uuid',
      meta: { interface: 'select-dropdown-m2o', special: ['m2o'], readonly: true, display: 'user', width: 'half' },
    },
    { field: 'comment', type: 'text', meta: { interface: 'input-multiline', readonly: true, width: 'full' } },
    {
      field: 'at',
      type: 'timestamp',
      meta: { interface: 'datetime', readonly: true, display: 'datetime', width: 'half' },
      schema: { is_nullable: false, default_value: 'CURRENT_TIMESTAMP' },
    },
  ],
};

export const workflowCollections: CollectionSpec[] = [definitionsCollection, historyCollection];

export const workflowRelations: RelationSpec[] = [
  {
    collection: 'workflow_history',
    field: 'actor',
    related_collection: 'directus_users',
    schema: { on_delete: 'SET NULL' },
  },
];

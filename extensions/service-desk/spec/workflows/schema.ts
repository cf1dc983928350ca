// Fields of the workflows version: what the domain's workflowed collections need (actor fields Directus fills in the
// write, the comment field, SLA state). The definitions and history collections are the platform's
// (extensions/platform/spec/workflows.ts).
type Json = Record<string, unknown>;

const userField = (field: 'user_created' | 'user_updated') => ({
  field,
  type: 'uuid',
  meta: {
    special: [field === 'user_created' ? 'user-created' : 'user-updated'],
    interface: 'select-dropdown-m2o',
    options: { template: '{{first_name}} {{last_name}}' },
    display: 'user',
    readonly: true,
    hidden: true,
    width: 'half',
  },
});

const commentField = {
  field: 'workflow_comment',
  type: 'text',
  meta: {
    interface: 'input-multiline',
    width: 'full',
    note: 'Optional: why the status changes. Kept in the workflow history, then cleared.',
  },
};

export const SLA_STATES = ['on_track', 'at_risk', 'breached'];

/** Fields added to existing collections, with the relations of the user fields. */
export const addedFields: { collection: string; field: Json }[] = [
  { collection: 'tickets', field: userField('user_created') },
  { collection: 'tickets', field: userField('user_updated') },
  { collection: 'tickets', field: commentField },
  {
    collection: 'tickets',
    field: {
      field: 'sla_state',
      type: 'string',
      meta: {
        interface: 'select-dropdown',
        options: { choices: SLA_STATES.map((value) => ({ value, text: value.replace('_', ' ') })) },
        display: 'labels',
        readonly: true,
        width: 'half',
        note: 'Set by the SLA job: at risk before a due time, breached after it',
      },
      schema: { max_length: 16 },
    },
  },
  { collection: 'kb_articles', field: userField('user_created') },
  { collection: 'kb_articles', field: userField('user_updated') },
  { collection: 'kb_articles', field: commentField },
];

export const addedRelations = [
  ...['tickets', 'kb_articles'].flatMap((collection) =>
    ['user_created', 'user_updated'].map((field) => ({
      collection,
      field,
      related_collection: 'directus_users',
      schema: { on_delete: 'SET NULL' },
    })),
  ),
];

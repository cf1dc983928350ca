// The LLM adapter's usage table (decision 0050): tokens spent per UTC day, per user and per organization of the
// tickets assisted, which the budgets read (extensions/platform/src/llm/store.ts). Admins only: no policy grants it.
import type { CollectionSpec } from './types.js';

const readonlyMeta = (meta: Record<string, unknown>) => ({ readonly: true, width: 'half', ...meta });

export const llmUsageCollection: CollectionSpec = {
  collection: 'llm_usage',
  meta: {
    icon: 'token',
    note: 'LLM assist: tokens spent per UTC day, per user and per organization (the daily budgets read this)',
    display_template: '{{day}} {{scope}} {{subject}}: {{tokens}}',
    sort_field: null,
  },
  fields: [
    {
      field: 'id',
      type: 'bigInteger',
      meta: { hidden: true, readonly: true, interface: 'input' },
      schema: { is_primary_key: true, has_auto_increment: true },
    },
    {
      field: 'day',
      type: 'date',
      meta: readonlyMeta({ interface: 'datetime', display: 'datetime' }),
      schema: { is_nullable: false },
    },
    {
      field: 'scope',
      type: 'string',
      meta: readonlyMeta({
        interface: 'select-dropdown',
        options: { choices: ['user', 'organization'].map((value) => ({ value, text: value })) },
        display: 'labels',
      }),
      schema: { max_length: 16, is_nullable: false },
    },
    {
      field: 'subject',
      type: 'string',
      meta: readonlyMeta({ interface: 'input', note: 'The user id or the organization id' }),
      schema: { max_length: 64, is_nullable: false },
    },
    {
      field: 'tokens',
      type: 'bigInteger',
      meta: readonlyMeta({
        interface: 'input',
        note: 'Prompt and answer tokens (as the provider reported, else estimated)',
      }),
      schema: { is_nullable: false, default_value: 0 },
    },
    {
      field: 'requests',
      type: 'integer',
      meta: readonlyMeta({ interface: 'input' }),
      schema: { is_nullable: false, default_value: 0 },
    },
    {
      field: 'date_updated',
      type: 'timestamp',
      meta: readonlyMeta({ interface: 'datetime', display: 'datetime', display_options: { relative: true } }),
    },
  ],
};

// The platform's search configuration collection (issue 12, decision 0039): one row per searchable collection,
// rows a domain provides as configuration data (like workflow definitions). The search route reads it; the domain's
// version that adds a row also builds that row's index (the expression the route queries, search/core/sql.ts).
import type { CollectionSpec } from './types.js';

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

export const searchCollectionsCollection: CollectionSpec = {
  collection: 'search_collections',
  meta: {
    icon: 'manage_search',
    note: 'Collections the search route searches: fields with weights, language, result fields (decision 0039)',
    display_template: '{{collection}}',
    group: 'groundwork_platform',
    translations: [
      {
        language: 'en-US',
        translation: 'Search collections',
        singular: 'Search collection',
        plural: 'Search collections',
      },
    ],
  },
  fields: [
    {
      field: 'collection',
      type: 'string',
      meta: { interface: 'input', width: 'half', required: true, note: 'The collection searched' },
      schema: { is_primary_key: true, length: 64, max_length: 64, has_auto_increment: false },
    },
    {
      field: 'language',
      type: 'string',
      meta: { interface: 'input', width: 'half', required: true, note: 'Text search configuration, e.g. english' },
      schema: { max_length: 64, is_nullable: false, default_value: 'simple' },
    },
    json('fields', 'List of {field, weight: A|B|C|D, typo?: true}: the text searched; typo fields get a trigram index'),
    json('result_fields', 'Fields a result shows (read with the caller’s permissions)'),
    {
      field: 'facet_field',
      type: 'string',
      meta: { interface: 'input', width: 'half', note: 'Optional field results are counted by (e.g. status)' },
      schema: { max_length: 64 },
    },
  ],
};

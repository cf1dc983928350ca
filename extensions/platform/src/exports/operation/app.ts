// The Flow operation "Export query" in the flow editor: its options are the export route's (see api.ts).
import { defineOperationApp } from '@directus/extensions-sdk';

const half = 'half';

export default defineOperationApp({
  id: 'groundwork-export-query',
  name: 'Export query',
  icon: 'download',
  description: "Export a collection's rows (fields, filter, sort) as CSV, XLSX, JSON or NDJSON into Files.",
  overview: ({ collection, format }) => [
    { label: 'Collection', text: String(collection ?? '') },
    { label: 'Format', text: String(format ?? 'csv') },
  ],
  options: [
    {
      field: 'collection',
      name: 'Collection',
      type: 'string',
      meta: { width: half, interface: 'system-collection', required: true },
    },
    {
      field: 'format',
      name: 'Format',
      type: 'string',
      schema: { default_value: 'csv' },
      meta: {
        width: half,
        interface: 'select-dropdown',
        options: { choices: ['csv', 'xlsx', 'json', 'ndjson'].map((value) => ({ text: value, value })) },
      },
    },
    {
      field: 'fields',
      name: 'Fields',
      type: 'string',
      meta: { width: 'full', interface: 'input', options: { placeholder: 'id,subject,organization.name' } },
    },
    {
      field: 'filter',
      name: 'Filter',
      type: 'json',
      meta: { width: 'full', interface: 'input-code', options: { language: 'json' } },
    },
    {
      field: 'sort',
      name: 'Sort',
      type: 'string',
      meta: { width: half, interface: 'input', options: { placeholder: '-date_created' } },
    },
    { field: 'limit', name: 'Limit (-1: all)', type: 'integer', meta: { width: half, interface: 'input' } },
    { field: 'title', name: 'File title', type: 'string', meta: { width: half, interface: 'input' } },
    { field: 'folder', name: 'Folder', type: 'uuid', meta: { width: half, interface: 'system-folder' } },
  ],
});

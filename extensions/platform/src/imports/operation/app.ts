// The Flow operation "Import file" in the flow editor: its options are the import route's (see api.ts).
import { defineOperationApp } from '@directus/extensions-sdk';

const half = 'half';

export default defineOperationApp({
  id: 'groundwork-import-file',
  name: 'Import file',
  icon: 'upload_file',
  description: 'Import a CSV, XLSX, JSON or NDJSON file from Files into a collection: checked, all or nothing.',
  overview: ({ collection, file, mode, dry_run }) => [
    { label: 'Collection', text: String(collection ?? '') },
    { label: 'File', text: String(file ?? '') },
    { label: 'Mode', text: `${mode ?? 'insert'}${dry_run ? ' (dry run)' : ''}` },
  ],
  options: [
    {
      field: 'collection',
      name: 'Collection',
      type: 'string',
      meta: { width: half, interface: 'system-collection', required: true },
    },
    {
      field: 'file',
      name: 'File id',
      type: 'string',
      meta: { width: half, interface: 'input', required: true, options: { placeholder: '{{ $trigger.key }}' } },
    },
    {
      field: 'mapping_id',
      name: 'Saved mapping id',
      type: 'string',
      meta: {
        width: 'full',
        interface: 'input',
        note: 'A saved import mapping: it fills every option left empty here (options set here win).',
      },
    },
    {
      field: 'mode',
      name: 'Mode',
      type: 'string',
      // No default here: an empty mode is insert, or the saved mapping's.
      meta: {
        width: half,
        interface: 'select-dropdown',
        options: { choices: ['insert', 'update', 'upsert'].map((value) => ({ text: value, value })) },
      },
    },
    { field: 'match', name: 'Match fields', type: 'string', meta: { width: half, interface: 'input' } },
    {
      field: 'relations',
      name: 'Relations by natural key',
      type: 'json',
      meta: { width: 'full', interface: 'input-code', options: { language: 'json' } },
    },
    {
      field: 'mapping',
      name: 'Column → field',
      type: 'json',
      meta: { width: 'full', interface: 'input-code', options: { language: 'json' } },
    },
    {
      field: 'vocabularies',
      name: 'Vocabulary columns',
      type: 'json',
      meta: {
        width: 'full',
        interface: 'input-code',
        options: { language: 'json', placeholder: '{"tags": "tags.name"}' },
      },
    },
    {
      field: 'create_missing',
      name: 'Create missing names in',
      type: 'string',
      meta: { width: half, interface: 'input' },
    },
    { field: 'sheet', name: 'XLSX sheet', type: 'string', meta: { width: half, interface: 'input' } },
    { field: 'idempotency_key', name: 'Idempotency key', type: 'string', meta: { width: half, interface: 'input' } },
    { field: 'dry_run', name: 'Dry run', type: 'boolean', meta: { width: half, interface: 'boolean' } },
    {
      field: 'notify',
      name: "Notify (publish the rows' events)",
      type: 'boolean',
      meta: { width: half, interface: 'boolean' },
    },
  ],
});

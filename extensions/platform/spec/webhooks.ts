// The platform's outgoing-webhook collections (decision 0037): subscriptions (which events go to which URL, on or
// off) and the delivery log. No secret is stored here: secrets live in `groundwork.webhook_secret`, outside the
// schema Directus serves, so no REST or GraphQL query (an admin's included) can read one.
import type { CollectionSpec, FieldSpec, RelationSpec } from './types.js';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed', 'skipped'];

const uuidKey: FieldSpec = {
  field: 'id',
  type: 'uuid',
  meta: { hidden: true, readonly: true, interface: 'input', special: ['uuid'] },
  schema: { is_primary_key: true, length: 36, has_auto_increment: false },
};
const text = (field: string, meta: Record<string, unknown> = {}, schema: Record<string, unknown> = {}): FieldSpec => ({
  field,
  type: 'string',
  meta: { interface: 'input', width: 'half', ...meta },
  schema: { max_length: 255, ...schema },
});
const readonlyNumber = (field: string, note: string): FieldSpec => ({
  field,
  type: 'integer',
  meta: { interface: 'input', readonly: true, width: 'half', note },
});
const timestamp = (field: string, special: string[] = [], note?: string): FieldSpec => ({
  field,
  type: 'timestamp',
  meta: {
    interface: 'datetime',
    display: 'datetime',
    display_options: { relative: true },
    readonly: true,
    width: 'half',
    special: special.length ? special : null,
    ...(note ? { note } : {}),
  },
});
const choices = (values: string[]) => values.map((value) => ({ value, text: value }));

export const webhookCollections: CollectionSpec[] = [
  {
    collection: 'webhook_subscriptions',
    meta: {
      icon: 'webhook',
      note: 'Domain events sent to a URL, signed per Standard Webhooks. Create one with POST /groundwork/v1/webhooks/subscriptions to see its secret (once)',
      display_template: '{{description}} → {{url}}',
    },
    fields: [
      uuidKey,
      text('description', { width: 'full' }),
      text(
        'url',
        { required: true, width: 'full', note: 'http(s) URL; IMPORT_IP_DENY_LIST applies at each delivery' },
        { max_length: 2000, is_nullable: false },
      ),
      {
        field: 'events',
        type: 'json',
        meta: {
          interface: 'tags',
          special: ['cast-json'],
          width: 'full',
          required: true,
          note: 'Event types or patterns over the events outbox: `ticket.created`, `ticket.*`, `*`',
        },
      },
      {
        field: 'enabled',
        type: 'boolean',
        meta: {
          interface: 'boolean',
          special: ['cast-boolean'],
          width: 'half',
          options: { label: 'Enabled' },
          display: 'boolean',
        },
        schema: { default_value: true, is_nullable: false },
      },
      text('disabled_reason', { readonly: true, note: 'Why delivery turned it off (410 Gone, failure window)' }),
      timestamp('failing_since', [], 'First failure since the last success; cleared by a success'),
      timestamp('date_created', ['date-created']),
    ],
  },
  {
    collection: 'webhook_deliveries',
    meta: {
      icon: 'send',
      note: 'One row per message (event × subscription): attempts, last answer, next attempt',
      display_template: '{{status}} {{event_type}} ({{attempts}})',
      sort_field: null,
    },
    fields: [
      uuidKey,
      {
        field: 'subscription',
        type: 'uuid',
        meta: {
          interface: 'select-dropdown-m2o',
          special: ['m2o'],
          readonly: true,
          width: 'half',
          options: { template: '{{url}}' },
        },
      },
      text(
        'message_id',
        { readonly: true, note: 'The webhook-id header: the same on every attempt and replay' },
        { max_length: 64, is_unique: true, is_nullable: false },
      ),
      text('event_id', { readonly: true }, { max_length: 64 }),
      text('event_type', { readonly: true }, { max_length: 200 }),
      {
        field: 'payload',
        type: 'json',
        meta: { interface: 'input-code', options: { language: 'JSON' }, special: ['cast-json'], readonly: true },
      },
      {
        field: 'status',
        type: 'string',
        meta: {
          interface: 'select-dropdown',
          options: { choices: choices(DELIVERY_STATUSES) },
          display: 'labels',
          display_options: { choices: choices(DELIVERY_STATUSES) },
          readonly: true,
          width: 'half',
        },
        schema: { max_length: 16, default_value: 'pending', is_nullable: false },
      },
      {
        field: 'attempts',
        type: 'integer',
        meta: { interface: 'input', readonly: true, width: 'half', note: 'Attempts made' },
        schema: { default_value: 0, is_nullable: false },
      },
      readonlyNumber('last_status', 'HTTP status of the last answer (empty: no answer)'),
      readonlyNumber('last_latency_ms', 'Duration of the last attempt'),
      {
        field: 'response_excerpt',
        type: 'text',
        meta: { interface: 'input-multiline', readonly: true, width: 'full', note: 'Start of the last answer' },
      },
      text('last_error', { readonly: true, width: 'full' }, { max_length: 1000 }),
      timestamp('next_attempt_at'),
      timestamp('last_attempt_at'),
      timestamp('delivered_at'),
      {
        field: 'locked_until',
        type: 'timestamp',
        meta: { hidden: true, readonly: true, interface: 'datetime' },
      },
      timestamp('date_created', ['date-created']),
    ],
  },
];

export const webhookRelations: RelationSpec[] = [
  {
    collection: 'webhook_deliveries',
    field: 'subscription',
    related_collection: 'webhook_subscriptions',
    schema: { on_delete: 'CASCADE' },
  },
];

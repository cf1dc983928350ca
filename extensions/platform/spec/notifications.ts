// The platform's notification collections, as the Directus REST API takes them: rules, templates, preferences and
// the outbox. A domain's rules and templates are rows of them (the service desk's: extensions/service-desk/spec/notifications/).
import type { CollectionSpec, FieldSpec, RelationSpec } from './types.js';

const key = (field: string, length = 100): FieldSpec => ({
  field,
  type: 'string',
  meta: { interface: 'input', width: 'half', required: true, options: { font: 'monospace', slug: true } },
  schema: { is_primary_key: true, length, has_auto_increment: false },
});
const text = (field: string, meta: Record<string, unknown> = {}, schema: Record<string, unknown> = {}): FieldSpec => ({
  field,
  type: 'string',
  meta: { interface: 'input', width: 'half', ...meta },
  schema: { max_length: 255, ...schema },
});
const longText = (field: string, meta: Record<string, unknown> = {}): FieldSpec => ({
  field,
  type: 'text',
  meta: { interface: 'input-multiline', width: 'full', ...meta },
});
const flag = (field: string, fallback: boolean, label: string, meta: Record<string, unknown> = {}): FieldSpec => ({
  field,
  type: 'boolean',
  meta: {
    interface: 'boolean',
    special: ['cast-boolean'],
    width: 'half',
    options: { label },
    display: 'boolean',
    ...meta,
  },
  schema: { default_value: fallback, is_nullable: false },
});
const json = (field: string, meta: Record<string, unknown>): FieldSpec => ({
  field,
  type: 'json',
  meta: { interface: 'input-code', options: { language: 'JSON' }, special: ['cast-json'], width: 'full', ...meta },
});
const timestamp = (
  field: string,
  meta: Record<string, unknown> = {},
  schema: Record<string, unknown> = {},
): FieldSpec => ({
  field,
  type: 'timestamp',
  meta: {
    interface: 'datetime',
    display: 'datetime',
    display_options: { relative: true },
    readonly: true,
    width: 'half',
    ...meta,
  },
  schema,
});
const choices = (values: string[]) => values.map((value) => ({ value, text: value.replace(/_/g, ' ') }));

export const OUTBOX_STATUSES = ['pending', 'held', 'sending', 'sent', 'digested', 'skipped', 'failed'];

export const notificationCollections: CollectionSpec[] = [
  {
    collection: 'notification_templates',
    meta: {
      icon: 'mail',
      note: 'Liquid templates (subject and body) for notifications; the context has event, item, actor, recipient, app',
      display_template: '{{key}}',
    },
    fields: [
      key('key'),
      text('description', { width: 'half' }),
      longText('subject', { required: true, interface: 'input-code', options: { language: 'liquid' } }),
      longText('body', { required: true, interface: 'input-code', options: { language: 'liquid' } }),
    ],
  },
  {
    collection: 'notification_rules',
    meta: {
      icon: 'rule',
      note: 'Event → audience → channels → template',
      display_template: '{{id}}: {{event}}',
    },
    fields: [
      key('id'),
      text('description'),
      text(
        'event',
        {
          required: true,
          note: 'Event type; `*` is one segment, a final `**` the rest',
          options: { font: 'monospace' },
        },
        { is_nullable: false },
      ),
      json('condition', {
        note: 'Optional: {"data.internal": false, "item.reviewer": {"_null": true}} (_eq, _neq, _in, _nin, _null)',
      }),
      json('audience', {
        required: true,
        note: '[{"field": "requester"}, {"role": "<role id>"}, {"<audience group>": "<path>"}]',
      }),
      {
        field: 'channels',
        type: 'json',
        meta: {
          interface: 'select-multiple-checkbox',
          special: ['cast-json'],
          options: { choices: choices(['email', 'in_app']) },
          display: 'labels',
          width: 'half',
          required: true,
        },
      },
      {
        field: 'template',
        type: 'string',
        meta: { interface: 'select-dropdown-m2o', special: ['m2o'], options: { template: '{{key}}' }, width: 'half' },
        schema: { max_length: 100 },
      },
      flag('digest', false, 'Email only in the daily digest'),
      flag('exclude_actor', true, 'Not to the user who caused the event'),
      flag('enabled', true, 'Enabled'),
    ],
  },
  {
    collection: 'notification_preferences',
    meta: {
      icon: 'tune',
      note: "Each user's channels per event type (`*` for all), and daily digest instead of immediate email",
      display_template: '{{event}}',
    },
    fields: [
      {
        field: 'id',
        type: 'integer',
        meta: { hidden: true, readonly: true, interface: 'input' },
        schema: { is_primary_key: true, has_auto_increment: true },
      },
      {
        field: 'user',
        type: 'uuid',
        meta: { interface: 'select-dropdown-m2o', special: ['m2o'], display: 'user', width: 'half', required: true },
        schema: { is_nullable: false },
      },
      text(
        'event',
        { required: true, note: 'Event type or pattern; `*` for every event', options: { font: 'monospace' } },
        { default_value: '*', is_nullable: false },
      ),
      flag('email', true, 'Email'),
      flag('in_app', true, 'In the app'),
      flag('digest', false, 'Email once a day (digest) instead of at once'),
    ],
  },
  {
    collection: 'notification_outbox',
    meta: {
      icon: 'outbox',
      note: 'One row per notification (event × rule × recipient × channel) and its delivery state',
      display_template: '{{channel}} {{status}}: {{subject}}',
      sort_field: null,
    },
    fields: [
      {
        field: 'id',
        type: 'uuid',
        meta: { hidden: true, readonly: true, interface: 'input', special: ['uuid'] },
        schema: { is_primary_key: true, length: 36, has_auto_increment: false },
      },
      text(
        'key',
        { readonly: true, note: 'event:rule:recipient:channel; unique, so a re-run inserts nothing', width: 'full' },
        { max_length: 500, is_unique: true, is_nullable: false },
      ),
      text('event_id', { readonly: true }),
      text('event_type', { readonly: true }),
      text('collection', { readonly: true }),
      text('item', { readonly: true }),
      {
        field: 'rule',
        type: 'string',
        meta: { interface: 'select-dropdown-m2o', special: ['m2o'], readonly: true, width: 'half' },
        schema: { max_length: 100 },
      },
      text('template', { readonly: true }, { max_length: 100 }),
      {
        field: 'recipient',
        type: 'uuid',
        meta: { interface: 'select-dropdown-m2o', special: ['m2o'], display: 'user', readonly: true, width: 'half' },
      },
      text('channel', { readonly: true }, { max_length: 16 }),
      {
        field: 'status',
        type: 'string',
        meta: {
          interface: 'select-dropdown',
          options: { choices: choices(OUTBOX_STATUSES) },
          display: 'labels',
          display_options: { choices: choices(OUTBOX_STATUSES) },
          readonly: true,
          width: 'half',
        },
        schema: { max_length: 16, default_value: 'pending', is_nullable: false },
      },
      longText('subject', { readonly: true }),
      longText('body', { readonly: true }),
      {
        field: 'attempts',
        type: 'integer',
        meta: { interface: 'input', readonly: true, width: 'half' },
        schema: { default_value: 0, is_nullable: false },
      },
      longText('last_error', { readonly: true }),
      timestamp('last_attempt_at'),
      timestamp('sent_at'),
      text('message_id', { readonly: true }),
      {
        field: 'digest',
        type: 'uuid',
        meta: {
          interface: 'select-dropdown-m2o',
          special: ['m2o'],
          readonly: true,
          width: 'half',
          note: 'The digest email that carried it',
        },
      },
      timestamp(
        'date_created',
        { special: ['date-created'] },
        { default_value: 'CURRENT_TIMESTAMP', is_nullable: false },
      ),
    ],
  },
];

const m2o = (collection: string, field: string, related: string, onDelete: string): RelationSpec => ({
  collection,
  field,
  related_collection: related,
  schema: { on_delete: onDelete },
});

export const notificationRelations: RelationSpec[] = [
  // SET NULL: migrate syncs templates before rules and may delete a template a removed rule still names.
  m2o('notification_rules', 'template', 'notification_templates', 'SET NULL'),
  m2o('notification_preferences', 'user', 'directus_users', 'CASCADE'),
  m2o('notification_outbox', 'rule', 'notification_rules', 'SET NULL'),
  m2o('notification_outbox', 'recipient', 'directus_users', 'SET NULL'),
  m2o('notification_outbox', 'digest', 'notification_outbox', 'SET NULL'),
];

/** Added to `notification_rules` by version `notification-burst` (0005); null: the platform's default. */
export const notificationRuleBurstLimit: FieldSpec = {
  field: 'burst_limit',
  type: 'integer',
  meta: {
    interface: 'input',
    width: 'half',
    options: { min: 0, placeholder: '10' },
    note:
      'At most this many notifications of this rule per person and channel per hour are sent at once; the rest ' +
      'wait for the daily digest (email) or are not shown (in the app). Empty: 10. 0: no limit.',
  },
  schema: { is_nullable: true },
};

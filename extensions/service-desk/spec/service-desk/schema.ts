// The service-desk collections, fields and relations, as the Directus REST API takes them (POST /collections,
// /fields, /relations). Ids: uuid where a customer or integration sees the row (organizations, tickets, messages,
// articles: not guessable), integers for small staff-owned lists (SLA policies, KB categories, tags).

import type { CollectionSpec, FieldSpec, RelationSpec } from '../../../platform/spec/types.js';

export type { CollectionSpec, FieldSpec, RelationSpec };
type Json = Record<string, unknown>;

const choices = (values: string[]) =>
  values.map((value) => ({ value, text: value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) }));

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const CHANNELS = ['portal', 'email', 'phone', 'chat', 'api'];
export const ARTICLE_STATUSES = ['draft', 'in_review', 'published', 'archived'];
export const TIERS = ['standard', 'business', 'enterprise'];

const uuidKey = (): FieldSpec => ({
  field: 'id',
  type: 'uuid',
  meta: { hidden: true, readonly: true, interface: 'input', special: ['uuid'] },
  schema: { is_primary_key: true, length: 36, has_auto_increment: false },
});
const serialKey = (): FieldSpec => ({
  field: 'id',
  type: 'integer',
  meta: { hidden: true, readonly: true, interface: 'input' },
  schema: { is_primary_key: true, has_auto_increment: true },
});
const text = (field: string, meta: Json = {}, schema: Json = {}): FieldSpec => ({
  field,
  type: 'string',
  meta: { interface: 'input', width: 'half', ...meta },
  schema: { max_length: 255, ...schema },
});
const longText = (field: string, meta: Json = {}): FieldSpec => ({
  field,
  type: 'text',
  meta: { interface: 'input-rich-text-md', width: 'full', ...meta },
});
const dropdown = (field: string, values: string[], fallback: string, meta: Json = {}): FieldSpec => ({
  field,
  type: 'string',
  meta: {
    interface: 'select-dropdown',
    options: { choices: choices(values) },
    display: 'labels',
    display_options: { choices: choices(values) },
    width: 'half',
    required: true,
    ...meta,
  },
  schema: { default_value: fallback, is_nullable: false },
});
const minutes = (field: string, note: string): FieldSpec => ({
  field,
  type: 'integer',
  meta: { interface: 'input', width: 'half', note, required: true, options: { min: 1, iconRight: 'timer' } },
  schema: { is_nullable: false },
});
const timestamp = (field: string, meta: Json = {}): FieldSpec => ({
  field,
  type: 'timestamp',
  meta: { interface: 'datetime', display: 'datetime', display_options: { relative: true }, width: 'half', ...meta },
});
const link = (field: string, type: 'uuid' | 'integer', template: string, meta: Json = {}): FieldSpec => ({
  field,
  type,
  meta: {
    interface: 'select-dropdown-m2o',
    special: ['m2o'],
    options: { template },
    display: 'related-values',
    display_options: { template },
    width: 'half',
    ...meta,
  },
});
const userLink = (field: string, meta: Json = {}) =>
  link(field, 'uuid', '{{first_name}} {{last_name}}', { display: 'user', display_options: null, ...meta });
const tagList = (): FieldSpec => ({
  field: 'tags',
  type: 'json',
  meta: {
    interface: 'tags',
    special: ['cast-json'],
    display: 'labels',
    width: 'full',
    note: 'Words from the Tags list; free text is allowed for now.',
  },
});
const created = (): FieldSpec[] => [
  {
    field: 'date_created',
    type: 'timestamp',
    meta: { special: ['date-created'], interface: 'datetime', readonly: true, hidden: true, width: 'half' },
  },
  {
    field: 'date_updated',
    type: 'timestamp',
    meta: { special: ['date-updated'], interface: 'datetime', readonly: true, hidden: true, width: 'half' },
  },
];

export const collections: CollectionSpec[] = [
  {
    collection: 'sla_policies',
    meta: {
      icon: 'timer',
      note: 'Response and resolution targets in minutes, per ticket priority',
      display_template: '{{name}}',
    },
    fields: [
      serialKey(),
      text('name', { required: true, width: 'full' }, { is_nullable: false, is_unique: true }),
      ...PRIORITIES.map((p) => minutes(`first_response_${p}`, `First response, ${p} priority`)),
      ...PRIORITIES.map((p) => minutes(`resolution_${p}`, `Resolution, ${p} priority`)),
    ],
  },
  {
    collection: 'organizations',
    meta: { icon: 'domain', note: 'Customer organizations; people belong to one', display_template: '{{name}}' },
    fields: [
      uuidKey(),
      text('name', { required: true }, { is_nullable: false }),
      text(
        'domain',
        { note: 'Email domain of its people, e.g. example.com', options: { font: 'monospace' } },
        { is_unique: true },
      ),
      dropdown('tier', TIERS, 'standard'),
      link('sla_policy', 'integer', '{{name}}'),
      ...created(),
    ],
  },
  {
    collection: 'tags',
    meta: { icon: 'sell', note: 'The tag vocabulary for tickets and articles', display_template: '{{name}}' },
    fields: [
      serialKey(),
      text('name', { required: true }, { is_nullable: false, is_unique: true }),
      { field: 'color', type: 'string', meta: { interface: 'select-color', display: 'color', width: 'half' } },
    ],
  },
  {
    collection: 'tickets',
    meta: {
      icon: 'confirmation_number',
      note: 'Support requests from customers',
      display_template: '{{number}} {{subject}}',
      archive_field: 'status',
      archive_value: 'closed',
      unarchive_value: 'open',
    },
    fields: [
      uuidKey(),
      text(
        'number',
        { readonly: true, note: 'SD-1000 onwards, set by the database on insert', options: { font: 'monospace' } },
        { is_unique: true, max_length: 32 },
      ),
      text('subject', { required: true, width: 'full' }, { is_nullable: false }),
      longText('description'),
      dropdown('status', TICKET_STATUSES, 'new'),
      dropdown('priority', PRIORITIES, 'normal'),
      dropdown('channel', CHANNELS, 'portal'),
      link('organization', 'uuid', '{{name}}', { required: true }),
      userLink('requester'),
      userLink('assignee', { note: 'The agent working on it' }),
      tagList(),
      timestamp('first_response_due_at', { readonly: true, note: 'From the SLA policy' }),
      timestamp('resolution_due_at', { readonly: true, note: 'From the SLA policy' }),
      timestamp('first_responded_at', { readonly: true }),
      timestamp('solved_at', { readonly: true }),
      timestamp('closed_at', { readonly: true }),
      {
        field: 'satisfaction',
        type: 'integer',
        meta: {
          interface: 'slider',
          options: { minValue: 1, maxValue: 5, stepInterval: 1 },
          display: 'rating',
          width: 'half',
          note: 'The requester rates the resolution from 1 to 5',
          validation: { _and: [{ satisfaction: { _gte: 1 } }, { satisfaction: { _lte: 5 } }] },
          validation_message: 'Satisfaction is a whole number from 1 to 5',
        },
      },
      ...created(),
    ],
  },
  {
    collection: 'ticket_messages',
    meta: {
      icon: 'forum',
      note: 'Replies on tickets; internal notes are for staff only',
      display_template: '{{ticket.number}}: {{body}}',
    },
    fields: [
      uuidKey(),
      link('ticket', 'uuid', '{{number}} {{subject}}', { required: true }),
      userLink('author'),
      longText('body', { required: true }),
      {
        field: 'internal',
        type: 'boolean',
        meta: {
          interface: 'boolean',
          special: ['cast-boolean'],
          width: 'half',
          options: { label: 'Internal note (staff only)' },
          display: 'boolean',
        },
        schema: { default_value: false, is_nullable: false },
      },
      {
        field: 'attachments',
        type: 'alias',
        meta: { interface: 'files', special: ['files'], width: 'full', display: 'related-values' },
        schema: null,
      },
      ...created(),
    ],
  },
  {
    collection: 'ticket_messages_files',
    meta: { hidden: true, icon: 'import_export' },
    fields: [
      serialKey(),
      { field: 'ticket_messages_id', type: 'uuid', meta: { hidden: true } },
      { field: 'directus_files_id', type: 'uuid', meta: { hidden: true } },
    ],
  },
  {
    collection: 'kb_categories',
    meta: {
      icon: 'category',
      note: 'Sections of the knowledge base',
      display_template: '{{name}}',
      sort_field: 'sort',
    },
    fields: [
      serialKey(),
      text('name', { required: true }, { is_nullable: false }),
      text('slug', { options: { font: 'monospace', slug: true } }, { is_unique: true }),
      { field: 'sort', type: 'integer', meta: { hidden: true, interface: 'input' } },
    ],
  },
  {
    collection: 'kb_articles',
    meta: {
      icon: 'menu_book',
      note: 'Knowledge-base articles; customers see published ones',
      display_template: '{{title}}',
      archive_field: 'status',
      archive_value: 'archived',
      unarchive_value: 'draft',
    },
    fields: [
      uuidKey(),
      text('title', { required: true, width: 'full' }, { is_nullable: false }),
      text(
        'slug',
        { required: true, options: { font: 'monospace', slug: true } },
        { is_unique: true, is_nullable: false },
      ),
      dropdown('status', ARTICLE_STATUSES, 'draft'),
      link('category', 'integer', '{{name}}'),
      { field: 'summary', type: 'text', meta: { interface: 'input-multiline', width: 'full' } },
      longText('body'),
      tagList(),
      userLink('author'),
      userLink('reviewer', { note: 'Someone other than the author' }),
      timestamp('published_at'),
      ...created(),
    ],
  },
];

/** directus_users.organization: people belong to one organization (customers must). */
export const userOrganization: FieldSpec = link('organization', 'uuid', '{{name}}', {
  note: 'The organization this person belongs to',
});

const m2o = (collection: string, field: string, related: string, onDelete = 'SET NULL'): RelationSpec => ({
  collection,
  field,
  related_collection: related,
  schema: { on_delete: onDelete },
});

export const relations: RelationSpec[] = [
  m2o('organizations', 'sla_policy', 'sla_policies'),
  m2o('tickets', 'organization', 'organizations', 'RESTRICT'),
  m2o('tickets', 'requester', 'directus_users'),
  m2o('tickets', 'assignee', 'directus_users'),
  m2o('ticket_messages', 'ticket', 'tickets', 'CASCADE'),
  m2o('ticket_messages', 'author', 'directus_users'),
  {
    collection: 'ticket_messages_files',
    field: 'ticket_messages_id',
    related_collection: 'ticket_messages',
    meta: { one_field: 'attachments', junction_field: 'directus_files_id', one_deselect_action: 'nullify' },
    schema: { on_delete: 'CASCADE' },
  },
  {
    collection: 'ticket_messages_files',
    field: 'directus_files_id',
    related_collection: 'directus_files',
    meta: { junction_field: 'ticket_messages_id' },
    schema: { on_delete: 'CASCADE' },
  },
  m2o('kb_articles', 'category', 'kb_categories'),
  m2o('kb_articles', 'author', 'directus_users'),
  m2o('kb_articles', 'reviewer', 'directus_users'),
  m2o('directus_users', 'organization', 'organizations'),
];

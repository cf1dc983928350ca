// The platform's inbound email record (decision 0049): one row per email received, keyed by its Message-ID, so a
// provider's retry or a replayed request within the signature's tolerance becomes nothing twice; and what became
// of it (a ticket, a reply, dropped as automatic, refused, held). Admins only: no policy grants it.
import type { CollectionSpec, FieldSpec } from './types.js';

export const INBOUND_STATUSES = ['received', 'accepted', 'dropped', 'refused', 'held', 'failed'];

const text = (field: string, meta: Record<string, unknown> = {}, schema: Record<string, unknown> = {}): FieldSpec => ({
  field,
  type: 'string',
  meta: { interface: 'input', readonly: true, width: 'half', ...meta },
  schema: { max_length: 255, ...schema },
});

export const inboundCollections: CollectionSpec[] = [
  {
    collection: 'inbound_emails',
    meta: {
      icon: 'move_to_inbox',
      note: 'Emails received at POST /groundwork/v1/inbound/email and what each became',
      display_template: '{{status}} {{sender}}: {{subject}}',
      sort_field: null,
    },
    fields: [
      {
        field: 'id',
        type: 'uuid',
        meta: { hidden: true, readonly: true, interface: 'input', special: ['uuid'] },
        schema: { is_primary_key: true, length: 36, has_auto_increment: false },
      },
      // RFC 5322 allows 998 characters per line: a Message-ID is at most that.
      text(
        'message_id',
        { note: 'The email’s Message-ID: one row per email, whatever is retried' },
        {
          max_length: 998,
          is_unique: true,
          is_nullable: false,
        },
      ),
      text('sender', {}, { max_length: 320 }),
      text('subject', { width: 'full' }, { max_length: 998 }),
      {
        field: 'status',
        type: 'string',
        meta: {
          interface: 'select-dropdown',
          options: { choices: INBOUND_STATUSES.map((value) => ({ value, text: value })) },
          display: 'labels',
          readonly: true,
          width: 'half',
        },
        schema: { max_length: 20, default_value: 'received', is_nullable: false },
      },
      text('reason', { width: 'full', note: 'Why it was dropped, refused, held or failed' }, { max_length: 1000 }),
      text('result_collection', { note: 'What it became: a collection and item the domain names' }),
      text('result_item'),
      {
        field: 'attachments',
        type: 'json',
        meta: {
          interface: 'input-code',
          options: { language: 'JSON' },
          special: ['cast-json'],
          readonly: true,
          note: 'Files stored, and attachments refused with the reason',
        },
      },
      {
        field: 'date_created',
        type: 'timestamp',
        meta: {
          interface: 'datetime',
          display: 'datetime',
          display_options: { relative: true },
          readonly: true,
          width: 'half',
          special: ['date-created'],
        },
      },
    ],
  },
];

/**
 * Platform version `inbound-held` (decision 0053): the raw email of a held one (its sender a pending contact), kept
 * so activating the contact posts it; cleared once it is processed. Base64: the bytes as received, 8-bit ones too.
 */
export const inboundHeldMime: FieldSpec = {
  field: 'held_mime',
  type: 'text',
  meta: {
    hidden: true,
    readonly: true,
    interface: 'input-multiline',
    note: 'The raw email (base64) while it is held, posted when the pending contact is activated',
  },
  schema: { is_nullable: true },
};

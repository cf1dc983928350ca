// Version sla-rules (on top of 0004, issue 9): the SLA clocks pause in `pending` and `on_hold`, and the first
// public reply by staff stops the first-response clock. Two read-only fields on tickets, both set by the database;
// the rules themselves are triggers made by the data migration (extensions/service-desk/spec/sla-rules/migrate.ts). No
// permission changes: staff read tickets with `*` and write only listed fields, customers read a listed set that
// leaves these out. Why the rules take this shape: docs/decisions/0023-sla-pauses-and-first-response.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldSpec } from '../service-desk/schema.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Set by the database only: in no create or update field list of any non-admin policy. */
export const SLA_PAUSE_FIELDS = ['sla_paused_since', 'sla_paused_seconds'];

const readonly = { readonly: true, width: 'half' };

export const pauseFields: FieldSpec[] = [
  {
    field: 'sla_paused_since',
    type: 'timestamp',
    meta: {
      ...readonly,
      interface: 'datetime',
      display: 'datetime',
      display_options: { relative: true },
      note: 'When the ticket went to pending or on hold (empty while its SLA clocks run); set by the database',
    },
  },
  {
    field: 'sla_paused_seconds',
    type: 'integer',
    meta: {
      ...readonly,
      interface: 'input',
      display: 'formatted-value',
      note: 'Seconds spent in pending or on hold before now; the due times are pushed out by it; set by the database',
    },
    // Nullable in the schema although the trigger always writes a number (null counts as 0): Directus's GraphQL
    // makes a NOT NULL field whose default is falsy (0) a required `Int!` of every tickets create input, which
    // broke ticket creation over GraphQL for every role.
    schema: { default_value: 0, is_nullable: true },
  },
];

export const version: VersionAuthor = {
  name: 'sla-rules',
  dataMigration: path.join(here, '..', 'sla-rules', 'migrate.ts'),
  async author(send, log) {
    for (const field of pauseFields) await send('POST', '/fields/tickets', field);
    log(`tickets: ${pauseFields.map((field) => field.field).join(', ')} (read-only, set by the database)`);
  },
};

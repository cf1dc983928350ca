// Version list-indexes (on top of 0005, issue 14 item 5): the indexes the service desk's lists, a ticket's messages
// and the SLA jobs need at 1M tickets (decision 0031). The single-column ones are Directus fields' `is_indexed`
// (part of schema.json, so snapshot:check sees them); the composite and partial ones are SQL in the data migration
// (extensions/service-desk/spec/list-indexes/migrate.ts). Which request uses which index, and the plan check that
// fails on a sequential scan: extensions/service-desk/tests/plans/queries.ts and tests/query-plans.test.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Single-column indexes, made by Directus (`<collection>_<field>_index`). */
export const FIELD_INDEXES = [
  // A ticket's messages (the ticket view, the customer's message list, the `messages` alias).
  { collection: 'ticket_messages', field: 'ticket' },
  // The m2m junction of message attachments, read by message.
  { collection: 'ticket_messages_files', field: 'ticket_messages_id' },
];

export const version: VersionAuthor = {
  name: 'list-indexes',
  dataMigration: path.join(here, '..', 'list-indexes', 'migrate.ts'),
  async author(send, log) {
    for (const { collection, field } of FIELD_INDEXES) {
      await send('PATCH', `/fields/${collection}/${field}`, { schema: { is_indexed: true } });
      log(`${collection}.${field}: indexed`);
    }
  },
};

// Platform version `inbound-held` (issue 13, decision 0053): held inbound emails keep their raw bytes until the
// pending contact is activated, and the index the per-sender rate limit counts through.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inboundHeldMime } from '../inbound.js';
import type { VersionAuthor } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'inbound-held',
  dataMigration: path.join(here, '..', 'inbound-held', 'migrate.ts'),
  async author(send, log) {
    await send('POST', '/fields/inbound_emails', inboundHeldMime);
    log('inbound_emails.held_mime');
  },
};

// Platform version `inbound-email` (issue 13, inbound email to tickets; decision 0049): the inbound email record in
// the Platform folder, and the index replies are matched through (sent notification Message-IDs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inboundCollections } from '../inbound.js';
import { createCollections, type VersionAuthor } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'inbound-email',
  dataMigration: path.join(here, '..', 'inbound-email', 'migrate.ts'),
  async author(send, log) {
    await createCollections(send, log, inboundCollections, []);
    await send('PATCH', '/collections/inbound_emails', {
      meta: {
        group: 'groundwork_platform',
        sort: 30,
        translations: [
          { language: 'en-US', translation: 'Inbound emails', singular: 'Inbound email', plural: 'Inbound emails' },
        ],
      },
    });
    log('inbound_emails in the Platform folder');
  },
};

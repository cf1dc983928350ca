// Platform version `platform`: the collections the platform owns whatever the domain (decision 0029): workflow
// definitions and history, notification templates, rules, preferences and outbox, and the preference index.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notificationCollections, notificationRelations } from '../notifications.js';
import { createCollections, type VersionAuthor } from '../types.js';
import { workflowCollections, workflowRelations } from '../workflows.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'platform',
  dataMigration: path.join(here, '..', 'migrate.ts'),
  async author(send, log) {
    await createCollections(send, log, workflowCollections, workflowRelations);
    await createCollections(send, log, notificationCollections, notificationRelations);
  },
};

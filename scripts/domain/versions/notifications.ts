// Version notifications: the platform's notification collections (rules, templates, preferences, outbox), who may
// use them, the service desk's rules and templates as rows (../notifications/), and the data migration with the
// preference index and the ticket-assignment event trigger. Needs only the service-desk version before it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { permissions, rules, templates } from '../notifications/rules.js';
import { collections, relations } from '../notifications/schema.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'notifications',
  dataMigration: path.join(here, '..', 'notifications', 'migrate.ts'),
  async author(send, log) {
    for (const spec of collections) {
      const fields = spec.fields.map((field, index) => ({ ...field, meta: { ...field.meta, sort: index + 1 } }));
      await send('POST', '/collections', { collection: spec.collection, meta: spec.meta, schema: {}, fields });
      log(`collection ${spec.collection} (${fields.length} fields)`);
    }
    for (const relation of relations) await send('POST', '/relations', relation);
    log(`${relations.length} relations`);
    await send('POST', '/permissions', permissions);
    log(`${permissions.length} permissions`);
    await send('POST', '/items/notification_templates', templates);
    await send('POST', '/items/notification_rules', rules);
    log(`${templates.length} templates, ${rules.length} rules`);
  },
};

// Version notifications: who may use the platform's notification collections, the service desk's rules and
// templates as rows (../notifications/), and the data migration with the service desk's event triggers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { permissions, rules, templates } from '../notifications/rules.js';
import type { VersionAuthor } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'notifications',
  dataMigration: path.join(here, '..', 'notifications', 'migrate.ts'),
  async author(send, log) {
    await send('POST', '/permissions', permissions);
    log(`${permissions.length} permissions`);
    await send('POST', '/items/notification_templates', templates);
    await send('POST', '/items/notification_rules', rules);
    log(`${templates.length} templates, ${rules.length} rules`);
  },
};

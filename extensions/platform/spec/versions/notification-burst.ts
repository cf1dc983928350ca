// Platform version `notification-burst` (issue 11: no notification storm from one rule firing many times): a burst
// limit per notification rule, and the outbox index its count reads (notifications/core/outbox.ts, applyBurstLimit).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notificationRuleBurstLimit } from '../notifications.js';
import type { VersionAuthor } from '../types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const version: VersionAuthor = {
  name: 'notification-burst',
  dataMigration: path.join(here, '..', 'notification-burst', 'migrate.ts'),
  async author(send, log) {
    await send('POST', '/fields/notification_rules', notificationRuleBurstLimit);
    log('notification_rules.burst_limit');
  },
};

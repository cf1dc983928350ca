// The service desk's hooks. Each rule lives in its own folder (pure core + this adapter registration); this file
// only wires them to Directus's events.
import { defineHook } from '@directus/extensions-sdk';

export default defineHook((register, context) => {
  const logger = context.logger.child({ capability: 'service-desk' });
  logger.debug('service-desk rules loaded');
  void register;
});

// The service desk's hooks. Each rule lives in its own folder (pure core + this adapter registration); this file
// only wires them to Directus's events.
import { defineHook } from '@directus/extensions-sdk';
import { registrationFilter } from './registration/hook.js';

export default defineHook((register, context) => {
  const logger = context.logger.child({ capability: 'service-desk' });
  logger.debug('service-desk rules loaded');

  // registration: public sign-ups join the organization of their email domain (registration/).
  register.filter('users.create', registrationFilter(logger.child({ rule: 'registration' })));
});

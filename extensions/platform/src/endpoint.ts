// The platform's HTTP surface: every capability mounts its versioned routes under /groundwork.
import { defineEndpoint } from '@directus/extensions-sdk';
import { registerHealthRoutes } from './health/routes.js';
import { checkEnv } from './shared/env.js';

export default defineEndpoint({
  id: 'groundwork',
  handler: (router, context) => {
    const result = checkEnv(context.env);
    // The hook stops the boot on bad configuration before endpoints load; this only narrows the type.
    if (!result.ok) return;
    registerHealthRoutes(router, context, result.env);
  },
});

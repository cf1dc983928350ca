// The platform's authenticated HTTP surface: capabilities mount their versioned routes under /groundwork.
// (Health probes are mounted earlier, by the hook: see health/routes.ts.)
import { defineEndpoint } from '@directus/extensions-sdk';
import { registerVersionRoute } from './health/routes.js';

export default defineEndpoint({
  id: 'groundwork',
  handler: (router) => {
    registerVersionRoute(router);
  },
});

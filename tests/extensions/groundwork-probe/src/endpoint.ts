// TEST ONLY (see probe.ts): /groundwork-probe/jobs.
import { defineEndpoint } from '@directus/extensions-sdk';
import { registerProbeRoute } from './probe.js';

export default defineEndpoint({
  id: 'groundwork-probe',
  handler: (router, { database }) => registerProbeRoute(router, database),
});

// The platform's authenticated HTTP surface: capabilities mount their versioned routes under /groundwork.
// (Health probes are mounted earlier, by the hook: see health/routes.ts.)
import { defineEndpoint } from '@directus/extensions-sdk';
import { healthRouteDocs } from './health/api.js';
import { registerVersionRoute } from './health/routes.js';
import { registerOpenApiRoute } from './openapi/routes.js';
import { userRouteDocs } from './users/api.js';
import { registerUserRoutes } from './users/routes.js';

export default defineEndpoint({
  id: 'groundwork',
  handler: (router, context) => {
    registerVersionRoute(router);
    registerUserRoutes(router, context); // users: BE-301 deactivation
    registerOpenApiRoute(router, context, [
      ...healthRouteDocs,
      ...userRouteDocs,
      {
        method: 'get',
        path: '/groundwork/v1/openapi.json',
        operationId: 'groundworkOpenApi',
        summary: "This document, as the caller's permissions allow.",
        tag: 'Health',
        public: true,
        responses: { 200: { description: 'An OpenAPI 3.0 document.' } },
      },
    ]);
  },
});

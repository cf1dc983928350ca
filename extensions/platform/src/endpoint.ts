// The platform's authenticated HTTP surface: capabilities mount their versioned routes under /groundwork.
// (Health probes are mounted earlier, by the hook: see health/routes.ts.)
import { defineEndpoint } from '@directus/extensions-sdk';
import { healthRouteDocs } from './health/api.js';
import { registerVersionRoute } from './health/routes.js';
import { registerOpenApiRoute } from './openapi/routes.js';
import { workflowRouteDocs } from './workflows/api.js';
import { workflowDefinitions } from './workflows/index.js';
import { registerWorkflowRoutes } from './workflows/routes.js';

export default defineEndpoint({
  id: 'groundwork',
  handler: (router, context) => {
    registerVersionRoute(router);
    registerWorkflowRoutes(router, context, () =>
      workflowDefinitions(context.database, context.logger.child({ capability: 'workflows' })).get(),
    );
    registerOpenApiRoute(router, context, [
      ...healthRouteDocs,
      ...workflowRouteDocs,
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

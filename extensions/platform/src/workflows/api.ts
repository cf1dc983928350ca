// The workflows routes as documented in OpenAPI (from the zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { allowedTransitions, transitionsParams } from './core/contract.js';

export const workflowRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/workflows/{collection}/{id}/transitions',
    operationId: 'groundworkWorkflowTransitions',
    summary:
      'The moves the caller may make on an item now (roles and guards applied), and those a guard refuses, with why.',
    tag: 'Workflows',
    public: false,
    params: transitionsParams,
    responses: {
      200: { description: 'Allowed transitions.', schema: allowedTransitions },
      400: { description: 'Malformed collection or id (INVALID_PARAMS).' },
      403: { description: 'The caller may not read the item, or it does not exist (FORBIDDEN).' },
      404: { description: 'The collection has no workflow (NOT_FOUND).' },
    },
  },
];

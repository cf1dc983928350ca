// The personal-data export as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { exportQuery, personalDataExport } from './core/export.js';

export const privacyRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/users/me/export',
    operationId: 'groundworkExportMe',
    summary:
      "Everything held about the caller, as JSON (GDPR access and portability): account without credentials, files metadata, notifications, workflow history, security events, and each domain's data. Also served at /users/me/export.",
    tag: 'Users',
    public: false,
    query: exportQuery,
    responses: {
      200: { description: 'The export.', schema: personalDataExport },
      400: { description: 'An unknown query parameter (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
    },
  },
];

// The notifications routes as documented in OpenAPI.
import type { RouteDoc } from '../openapi/core/document.js';
import { digestRunResponse } from './contract.js';

export const notificationsRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/notifications/digest',
    operationId: 'groundworkNotificationsDigest',
    summary: 'Queues the daily digest now (the same job the schedule runs). Admins only.',
    tag: 'Notifications',
    public: false,
    responses: {
      202: { description: 'Queued.', schema: digestRunResponse },
      400: { description: 'A body with fields (INVALID_PAYLOAD).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
    },
  },
];

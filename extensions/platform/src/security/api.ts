// The security-events route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { listSecurityEventsQuery, securityEventList } from './core/contract.js';

export const securityRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/security/events',
    operationId: 'groundworkListSecurityEvents',
    summary:
      'Security events, newest first: failed and throttled logins, denials on /groundwork routes, role, policy, permission and access changes, users’ role, policies, status, TOTP and password changes, password resets, token revocations and refusals, registrations. Admins only.',
    tag: 'Security',
    public: false,
    query: listSecurityEventsQuery,
    responses: {
      200: { description: 'Events, with the cursor of the next page.', schema: securityEventList },
      400: { description: 'Bad filter (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
    },
  },
];

// The user-management routes as documented in OpenAPI (built from the zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { deactivateSelfBody, deactivateUserBody, deactivateUserParams, deactivation } from './core/contract.js';

export const userRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/users/me/deactivate',
    operationId: 'groundworkDeactivateMe',
    summary:
      'Close your own account: needs the current password; archives the user and revokes their sessions, static token and access tokens.',
    tag: 'Users',
    public: false,
    body: deactivateSelfBody,
    responses: {
      200: { description: 'Deactivated.', schema: deactivation },
      400: { description: 'Missing or malformed password (INVALID_PAYLOAD).' },
      401: { description: 'Not signed in, or wrong password (INVALID_CREDENTIALS).' },
      403: { description: 'Administrators are deactivated by another administrator (FORBIDDEN).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/users/{id}/deactivate',
    operationId: 'groundworkDeactivateUser',
    summary:
      'Admins only: suspend (default) or archive a user and revoke their sessions, static token and access tokens.',
    tag: 'Users',
    public: false,
    params: deactivateUserParams,
    body: deactivateUserBody,
    responses: {
      200: { description: 'Deactivated.', schema: deactivation },
      400: { description: 'Malformed id or status (INVALID_PARAMS, INVALID_PAYLOAD).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
      404: { description: 'No such user (NOT_FOUND).' },
      409: { description: 'The caller themself: use /users/me/deactivate (CONFLICT).' },
    },
  },
];

// The personal-data export as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { eraseSelfBody, eraseUserBody, eraseUserParams, erasureResult } from './core/erasure.js';
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

export const erasureRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/users/me/erasure',
    operationId: 'groundworkEraseMe',
    summary:
      'Erase your own account (GDPR art. 17): needs the current password (and a TOTP code when on). Tickets stay with the organization, anonymised; your words, files, notifications and account are removed. Decision 0021.',
    tag: 'Users',
    public: false,
    body: eraseSelfBody,
    responses: {
      200: { description: 'Erased; the access token no longer works.', schema: erasureResult },
      400: { description: 'Missing or malformed password (INVALID_PAYLOAD).' },
      401: { description: 'Not signed in, wrong password (INVALID_CREDENTIALS) or TOTP code (INVALID_OTP).' },
      409: { description: 'The last active administrator (CONFLICT).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/users/{id}/erasure',
    operationId: 'groundworkEraseUser',
    summary: "Admins only: erase a person's account on their request, with a reason kept in the audit entry.",
    tag: 'Users',
    public: false,
    params: eraseUserParams,
    body: eraseUserBody,
    responses: {
      200: { description: 'Erased.', schema: erasureResult },
      400: { description: 'Malformed id or reason (INVALID_PARAMS, INVALID_PAYLOAD).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'Not an admin (FORBIDDEN).' },
      404: { description: 'No such user (NOT_FOUND).' },
      409: { description: 'The caller themself (use /users/me/erasure), or the last active administrator (CONFLICT).' },
    },
  },
];

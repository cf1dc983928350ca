// The API-key routes as documented in OpenAPI (built from the zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { createdKey, createKeyBody, keyList, keyParams, listKeysQuery, oneKey } from './core/contract.js';

const notAdmin = {
  401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
  403: { description: 'Not an administrator (FORBIDDEN).' },
};

export const apiKeyRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/api-keys',
    operationId: 'groundworkCreateApiKey',
    summary:
      'Creates an API key scoped to one policy, acting as a new service user. The key (and, for signed keys, the signing secret) is in this answer only. Admins only.',
    tag: 'API keys',
    public: false,
    body: createKeyBody,
    responses: {
      201: { description: 'The key, shown once.', schema: createdKey },
      400: { description: 'Bad body or an expiry in the past (INVALID_PAYLOAD).' },
      ...notAdmin,
      404: { description: 'No such policy (NOT_FOUND).' },
      409: { description: 'An admin policy, or a signed key without SECRET set (CONFLICT).' },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/api-keys',
    operationId: 'groundworkListApiKeys',
    summary: 'Every API key, newest first, with status and last use; never a secret. Admins only.',
    tag: 'API keys',
    public: false,
    query: listKeysQuery,
    responses: { 200: { description: 'Keys.', schema: keyList }, 400: { description: 'INVALID_QUERY.' }, ...notAdmin },
  },
  {
    method: 'get',
    path: '/groundwork/v1/api-keys/{id}',
    operationId: 'groundworkReadApiKey',
    summary: 'One API key; never its secret. Admins only.',
    tag: 'API keys',
    public: false,
    params: keyParams,
    responses: {
      200: { description: 'The key.', schema: oneKey },
      400: { description: 'INVALID_PARAMS.' },
      ...notAdmin,
      404: { description: 'No such key (NOT_FOUND).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/api-keys/{id}/revoke',
    operationId: 'groundworkRevokeApiKey',
    summary: 'Revokes a key: refused from the next request on. Revoking twice keeps the first time. Admins only.',
    tag: 'API keys',
    public: false,
    params: keyParams,
    responses: {
      200: { description: 'The revoked key.', schema: oneKey },
      400: { description: 'INVALID_PARAMS.' },
      ...notAdmin,
      404: { description: 'No such key (NOT_FOUND).' },
    },
  },
];

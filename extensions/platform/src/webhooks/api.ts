// The webhooks routes as documented in OpenAPI (built from the zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import {
  replayedRange,
  replayRangeBody,
  createdSubscription,
  createSubscriptionBody,
  idParams,
  queuedDelivery,
  rotateSecretBody,
  rotatedSecret,
} from './core/contract.js';

const denied = {
  401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
  403: { description: 'Not an admin (FORBIDDEN).' },
};

export const webhookRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/webhooks/subscriptions',
    operationId: 'groundworkCreateWebhookSubscription',
    summary:
      'Subscribe a URL to domain events. The answer carries the signing secret (whsec_...), which cannot be read again. Admins only.',
    tag: 'Webhooks',
    public: false,
    body: createSubscriptionBody,
    responses: {
      201: { description: 'Created, with its secret.', schema: createdSubscription },
      400: { description: 'Bad URL or event patterns (INVALID_PAYLOAD).' },
      ...denied,
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/webhooks/subscriptions/{id}/secret',
    operationId: 'groundworkRotateWebhookSecret',
    summary:
      'Rotate the signing secret: deliveries carry a signature by the new and by the previous secret until the overlap ends. Admins only.',
    tag: 'Webhooks',
    public: false,
    params: idParams,
    body: rotateSecretBody,
    responses: {
      200: { description: 'The new secret (shown once).', schema: rotatedSecret },
      400: { description: 'Bad id or overlap (INVALID_PARAMS, INVALID_PAYLOAD).' },
      ...denied,
      404: { description: 'No such subscription (NOT_FOUND).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/webhooks/subscriptions/{id}/test',
    operationId: 'groundworkTestWebhook',
    summary: 'Queue a `webhook.test` event for this subscription; follow it in webhook_deliveries. Admins only.',
    tag: 'Webhooks',
    public: false,
    params: idParams,
    responses: {
      202: { description: 'Queued.', schema: queuedDelivery },
      400: { description: 'Not an id (INVALID_PARAMS).' },
      ...denied,
      404: { description: 'No such subscription (NOT_FOUND).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/webhooks/deliveries/{id}/replay',
    operationId: 'groundworkReplayWebhookDelivery',
    summary:
      'Send one delivery again, with fresh attempts and the same webhook-id (receivers de-duplicate on it). Admins only.',
    tag: 'Webhooks',
    public: false,
    params: idParams,
    responses: {
      202: { description: 'Queued.', schema: queuedDelivery },
      400: { description: 'Not an id (INVALID_PARAMS).' },
      ...denied,
      404: { description: 'No such delivery (NOT_FOUND).' },
    },
  },
  {
    method: 'post',
    path: '/groundwork/v1/webhooks/deliveries/replay',
    operationId: 'groundworkReplayWebhookRange',
    summary:
      'Send again the settled deliveries (failed and skipped unless `statuses` says otherwise) created in [from, to), optionally of one subscription; at most 1000 per call, oldest first, each with its own webhook-id. Admins only.',
    tag: 'Webhooks',
    public: false,
    body: replayRangeBody,
    responses: {
      202: { description: 'Queued.', schema: replayedRange },
      400: { description: 'Bad range (INVALID_PAYLOAD).' },
      ...denied,
    },
  },
];

// The assist routes as documented in OpenAPI (built from the zod contract the routes validate with).
import type { RouteDoc } from '../openapi/core/document.js';
import { assistBody, assistParams } from './core/contract.js';

export const assistRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/assist/tickets/{id}/{assist}',
    operationId: 'groundworkAssistTicket',
    summary:
      'An LLM assist on a ticket, streamed as server-sent events: `reply` (a suggested reply from the thread and the ' +
      'best-matching published KB articles), `summary`, or `triage` (suggested priority, category and tags as JSON in a ' +
      '`result` event). Events: `meta` (model, cached, redacted counts), `delta` ({text}), `result` (triage), `done` ' +
      '(model, usage) or `error` ({code: provider_failed | invalid_model_output}). The model sees only what the caller ' +
      'may read; emails, phone numbers and secrets are redacted before the prompt leaves. Agents and managers ' +
      '(who may change the ticket).',
    tag: 'Assist',
    public: false,
    params: assistParams,
    body: assistBody,
    responses: {
      200: { description: 'text/event-stream of meta, delta, result, done or error events.' },
      400: { description: 'Bad id, assist or body (INVALID_PARAMS, INVALID_PAYLOAD).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'The caller may not read the ticket, or may not change it (FORBIDDEN).' },
      429: {
        description: "The user's or the organization's tokens for today are spent (LLM_BUDGET_EXCEEDED); Retry-After.",
      },
      404: { description: 'LLM assist is not configured on this instance (LLM_NOT_CONFIGURED).' },
      503: { description: 'No model answered (LLM_PROVIDER_UNAVAILABLE).' },
    },
  },
];

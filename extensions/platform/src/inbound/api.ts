// The inbound email route as documented in OpenAPI.
import type { RouteDoc } from '../openapi/core/document.js';
import { duplicateAnswer, inboundAnswer, mailgunForm, rawEmailBody } from './core/contract.js';

const inboundRouteDoc: RouteDoc = {
  method: 'post',
  path: '/groundwork/v1/inbound/email',
  operationId: 'groundworkInboundEmail',
  summary:
    'An email from the mail provider becomes a ticket, or a public reply on the ticket its subject ([SD-1042]) or In-Reply-To/References names. Signed (GROUNDWORK_INBOUND_EMAIL_SCHEME): Standard Webhooks over the raw MIME body, or Mailgun’s timestamp+token HMAC. No bearer token.',
  tag: 'Inbound email',
  public: true,
  bodyContent: {
    'message/rfc822': rawEmailBody,
    'multipart/form-data': mailgunForm,
    'application/x-www-form-urlencoded': mailgunForm,
  },
  responses: {
    200: { description: 'This Message-ID was received before: nothing done again.', schema: duplicateAnswer },
    202: {
      description: 'Recorded: accepted (a ticket or reply), dropped (automatic mail), refused (sender) or held.',
      schema: inboundAnswer,
    },
    400: { description: 'Not an email, or no From address (INVALID_PAYLOAD).' },
    401: { description: 'Unsigned, badly signed or outside the timestamp tolerance (INVALID_CREDENTIALS).' },
    413: { description: 'Larger than GROUNDWORK_INBOUND_EMAIL_MAX_BYTES (CONTENT_TOO_LARGE).' },
    404: { description: 'Inbound email is not configured on this instance.' },
    503: { description: 'The malware scanner did not answer: the provider retries.' },
  },
};

export const inboundRouteDocs: RouteDoc[] = [
  inboundRouteDoc,
  {
    ...inboundRouteDoc,
    path: '/groundwork/v1/inbound/email/mime',
    operationId: 'groundworkInboundEmailMime',
    summary: 'The same route under a path ending in `mime`, as Mailgun requires for a forward with the raw MIME.',
  },
];

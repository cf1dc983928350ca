// The inbound email route as documented in OpenAPI.
import type { RouteDoc } from '../openapi/core/document.js';
import { duplicateAnswer, inboundAnswer, mailgunForm, rawEmailBody } from './core/contract.js';
import { postmarkInbound } from './core/postmark.js';

const inboundRouteDoc: RouteDoc = {
  method: 'post',
  path: '/groundwork/v1/inbound/email',
  operationId: 'groundworkInboundEmail',
  summary:
    'An email from the mail provider becomes a ticket, or a public reply on the ticket its subject ([SD-1042]) or In-Reply-To/References names. Verified (GROUNDWORK_INBOUND_EMAIL_SCHEME): Standard Webhooks over the raw MIME body, Mailgun’s timestamp+token HMAC, or Postmark’s JSON behind basic auth. No bearer token. The From counts only with the provider’s Authentication-Results (DMARC or an aligned DKIM/SPF pass) unless GROUNDWORK_INBOUND_EMAIL_SENDER_AUTH=off; beyond GROUNDWORK_INBOUND_EMAIL_SENDER_LIMIT emails an hour a sender’s are dropped.',
  tag: 'Inbound email',
  public: true,
  bodyContent: {
    'message/rfc822': rawEmailBody,
    'multipart/form-data': mailgunForm,
    'application/x-www-form-urlencoded': mailgunForm,
    'application/json': postmarkInbound,
  },
  responses: {
    200: { description: 'This Message-ID was received before: nothing done again.', schema: duplicateAnswer },
    202: {
      description:
        'Recorded: accepted (a ticket or reply), dropped (automatic mail, over the sender limit), refused (sender unknown or not authenticated) or held (a pending contact’s, posted when staff activate it).',
      schema: inboundAnswer,
    },
    400: { description: 'Not an email (or not Postmark’s JSON), or no From address (INVALID_PAYLOAD).' },
    401: {
      description:
        'Unsigned, badly signed, outside the timestamp tolerance, or wrong basic auth (INVALID_CREDENTIALS); a security event.',
    },
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

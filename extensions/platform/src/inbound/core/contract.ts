// The inbound email route's bodies and answers, as documented in OpenAPI. Pure (zod).
import { z } from 'zod';

export const rawEmailBody = z
  .string()
  .describe('The email as received (RFC 5322 / MIME, any transfer encoding), signed per Standard Webhooks.');

export const mailgunForm = z.object({
  timestamp: z.string().describe('Seconds since the epoch, signed.'),
  token: z.string().describe('Random, signed.'),
  signature: z.string().describe('hex HMAC-SHA256 of timestamp + token with the HTTP webhook signing key.'),
  'body-mime': z.string().describe('The email as received (a Mailgun route forwarding to a URL ending in mime).'),
});

const attachmentsReport = z.object({
  stored: z.array(z.string()).describe('Directus file ids.'),
  refused: z.array(z.object({ name: z.string(), reason: z.string() })),
});

export const inboundAnswer = z.object({
  data: z.object({
    id: z.string().describe('The inbound_emails row.'),
    status: z.enum(['accepted', 'dropped', 'refused', 'held']),
    reason: z.string().optional().describe('Why it was dropped (automatic mail), refused or held.'),
    collection: z.string().optional().describe('What it became: tickets (new) or ticket_messages (a reply).'),
    item: z.string().optional(),
    attachments: attachmentsReport.optional(),
  }),
});

export const duplicateAnswer = z.object({
  data: z.object({
    id: z.string().nullable(),
    status: z.literal('duplicate'),
    was: z.string().nullable().describe('What the first delivery of this Message-ID became.'),
  }),
});

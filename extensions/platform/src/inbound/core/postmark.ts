// Postmark's inbound JSON (decision 0053) turned back into the MIME email it describes, so the one pipeline of
// decision 0049 (mailparser, Message-ID, loops, sender authentication, quotes, attachments) handles it unchanged.
// When the payload carries `RawEmail` (Postmark's "include raw email content" option), those are the bytes; otherwise
// the email is written from the fields: the original headers as Postmark lists them (Message-ID, In-Reply-To,
// Authentication-Results, Auto-Submitted…), then the text and HTML bodies and the attachments, base64. Pure.
import { z } from 'zod';

const header = z.object({ Name: z.string().min(1).max(200), Value: z.string().max(20_000) });
const attachment = z.object({
  Name: z.string().max(255).default('attachment'),
  Content: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, { error: 'must be base64' }),
  ContentType: z.string().max(255).default('application/octet-stream'),
  ContentID: z.string().max(998).optional(),
});

/** The fields we read; others (ToFull, MailboxHash, Tag…) are ignored. */
export const postmarkInbound = z.object({
  FromFull: z.object({ Email: z.string().min(3).max(320), Name: z.string().max(320).default('') }),
  To: z.string().max(20_000).default(''),
  Subject: z.string().max(998).default(''),
  Date: z.string().max(200).optional(),
  MessageID: z.string().max(998).optional(),
  TextBody: z.string().default(''),
  HtmlBody: z.string().default(''),
  Headers: z.array(header).max(500).default([]),
  Attachments: z.array(attachment).max(100).default([]),
  RawEmail: z.string().optional(),
});
export type PostmarkInbound = z.infer<typeof postmarkInbound>;

/** Headers written from the payload's own fields or by the MIME structure: never copied from `Headers`. */
const OWN = new Set(['from', 'to', 'subject', 'date', 'mime-version', 'content-type', 'content-transfer-encoding']);

const ascii = (value: string) => /^[\x20-\x7e\t]*$/.test(value);
/** A header value as RFC 2047 encoded words when it is not plain ASCII; line breaks removed either way. */
const headerValue = (value: string) => {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return ascii(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
};
const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
const quotedName = (name: string) => (ascii(name) ? `"${name.replace(/["\\]/g, '')}"` : headerValue(name));

/** The MIME bytes of a Postmark inbound payload. `boundary` is random in production, fixed in tests. */
export function postmarkMime(payload: PostmarkInbound, boundary: string): Buffer {
  if (payload.RawEmail) return Buffer.from(payload.RawEmail, 'utf8');
  const lines: string[] = [];
  const from = payload.FromFull;
  lines.push(`From: ${from.Name ? `${quotedName(from.Name)} ` : ''}<${from.Email.replace(/[<>\s]/g, '')}>`);
  if (payload.To) lines.push(`To: ${headerValue(payload.To)}`);
  lines.push(`Subject: ${headerValue(payload.Subject)}`);
  if (payload.Date) lines.push(`Date: ${headerValue(payload.Date)}`);
  const listed = new Set(payload.Headers.map((entry) => entry.Name.toLowerCase()));
  // Postmark's MessageID is its own id; the email's is in Headers when the sender's client wrote one.
  if (!listed.has('message-id') && payload.MessageID)
    lines.push(`Message-ID: <${payload.MessageID.replace(/[<>\s]/g, '')}@inbound.postmarkapp.com>`);
  for (const { Name, Value } of payload.Headers) {
    if (OWN.has(Name.toLowerCase()) || !/^[!-9;-~]+$/.test(Name)) continue;
    lines.push(`${Name}: ${headerValue(Value)}`);
  }
  lines.push('MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`, '');
  const part = (type: string, content: Buffer, extra: string[] = []) =>
    lines.push(
      `--${boundary}`,
      `Content-Type: ${type}`,
      'Content-Transfer-Encoding: base64',
      ...extra,
      '',
      base64Lines(content),
    );
  if (payload.TextBody || !payload.HtmlBody) part('text/plain; charset=utf-8', Buffer.from(payload.TextBody, 'utf8'));
  if (payload.HtmlBody) part('text/html; charset=utf-8', Buffer.from(payload.HtmlBody, 'utf8'));
  for (const file of payload.Attachments) {
    const name = headerValue(file.Name).replace(/"/g, '');
    part(file.ContentType.replace(/[\r\n;]/g, ''), Buffer.from(file.Content.replace(/\s/g, ''), 'base64'), [
      `Content-Disposition: ${file.ContentID ? 'inline' : 'attachment'}; filename="${name}"`,
      ...(file.ContentID ? [`Content-ID: <${file.ContentID.replace(/[<>\s]/g, '')}>`] : []),
    ]);
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

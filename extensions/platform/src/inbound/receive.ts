// POST /groundwork/v1/inbound/email (decision 0049): a mail provider posts an email; it is verified by the
// configured scheme, parsed (mailparser), de-duplicated by Message-ID, dropped when a machine sent it, and handed to
// the domain's handler, which decides what it becomes. The answer is 202 for every recorded outcome (accepted,
// dropped, refused, held) so the provider does not retry what was decided; 200 for a Message-ID already recorded.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import busboy from 'busboy';
import { ContentTooLargeError, isDirectusError, RouteNotFoundError } from '@directus/errors';
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Response, Router } from 'express';
import { simpleParser, type ParsedMail } from 'mailparser';
import { checkFile, type UploadDeps } from '../files/upload.js';
import { uploadLimitFor } from '../files/core/limits.js';
import type { PlatformEnv } from '../shared/env.js';
import { InboundSignatureError, ServiceUnavailableError, UploadRefusedError } from '../shared/errors.js';
import { route } from '../shared/http.js';
import { createUsersStore } from '../users/store.js';
import { currentAccess } from '../users/core/current-access.js';
import { inboundHandlers, type InboundEmail, type InboundOutcome, type InboundTools } from './contract.js';
import { htmlToText } from './core/html.js';
import { automaticReason, type HeaderValue } from './core/loop.js';
import { stripQuotedText } from './core/quotes.js';
import { messageIdsOf, normalMessageId } from './core/references.js';
import { verifyMailgun, verifyStandardWebhook } from './core/signature.js';
import { inboundStore } from './store.js';

export const INBOUND_EMAIL_PATH = '/v1/inbound/email';

/** The request body, read up to `max` bytes (413 beyond). */
function readBody(req: Request, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ContentTooLargeError());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Mailgun's form (multipart or urlencoded): its signature fields and the raw MIME of a `.../mime` route. */
function readMailgunForm(req: Request, max: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: max, fields: 60, files: 0 } });
    } catch {
      return reject(new UploadRefusedError({ reason: 'Send the email as a form (multipart or urlencoded).' }));
    }
    parser.on('field', (name: string, value: string, info: { valueTruncated: boolean }) => {
      if (info.valueTruncated) reject(new ContentTooLargeError());
      else fields[name] = value;
    });
    parser.on('error', () => reject(new UploadRefusedError({ reason: 'The form body is malformed.' })));
    parser.on('close', () => resolve(fields));
    req.pipe(parser);
  });
}

const header = (req: Request, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Headers as core/loop.ts reads them: lower-case names, text values. */
function headerValues(mail: ParsedMail): Record<string, HeaderValue> {
  const values: Record<string, HeaderValue> = {};
  for (const line of mail.headerLines) {
    const colon = line.line.indexOf(':');
    values[line.key.toLowerCase()] = colon >= 0 ? line.line.slice(colon + 1).trim() : '';
  }
  return values;
}

const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function registerInboundEmailRoute(
  router: Router,
  context: EndpointExtensionContext,
  config: PlatformEnv | null,
  files: UploadDeps | null,
): void {
  const { database, services, getSchema } = context;
  const logger = context.logger.child({ capability: 'inbound-email' });
  const store = inboundStore(database);
  const users = createUsersStore(database);
  const ownAddresses = [
    ...listOf(config?.GROUNDWORK_INBOUND_OWN_ADDRESSES),
    ...listOf(typeof context.env['EMAIL_FROM'] === 'string' ? context.env['EMAIL_FROM'] : undefined),
  ];

  async function verified(req: Request): Promise<Buffer> {
    const scheme = config?.GROUNDWORK_INBOUND_EMAIL_SCHEME;
    const secret = config?.GROUNDWORK_INBOUND_EMAIL_SECRET;
    if (!config || !scheme || !secret || !files) {
      // Off is absent, not failing: the 404 of a route this instance does not have (a 503 would make providers retry).
      throw new RouteNotFoundError({ path: req.path });
    }
    const max = config.GROUNDWORK_INBOUND_EMAIL_MAX_BYTES;
    if (Number(header(req, 'content-length') ?? 0) > max) throw new ContentTooLargeError();
    const now = Math.floor(Date.now() / 1000);
    const tolerance = config.GROUNDWORK_INBOUND_EMAIL_TOLERANCE_SECONDS;
    if (scheme === 'standard-webhooks') {
      const body = await readBody(req, max);
      const result = verifyStandardWebhook(
        secret,
        {
          id: header(req, 'webhook-id'),
          timestamp: header(req, 'webhook-timestamp'),
          signature: header(req, 'webhook-signature'),
        },
        body,
        now,
        tolerance,
      );
      if (!result.ok) throw new InboundSignatureError({ reason: result.reason });
      return body;
    }
    const form = await readMailgunForm(req, max);
    const result = verifyMailgun(secret, form, now, tolerance);
    if (!result.ok) throw new InboundSignatureError({ reason: result.reason });
    const mime = form['body-mime'];
    if (!mime)
      throw new UploadRefusedError({ reason: 'body-mime is missing: route the email to a URL ending in mime.' });
    return Buffer.from(mime, 'utf8');
  }

  // `/mime` too: Mailgun posts the raw MIME (body-mime) only to a forward URL that ends in `mime`.
  router.post(
    [INBOUND_EMAIL_PATH, `${INBOUND_EMAIL_PATH}/mime`],
    route(async (req: Request, res: Response) => {
      const body = await verified(req);
      let mail: ParsedMail;
      try {
        mail = await simpleParser(body, { skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
      } catch {
        throw new UploadRefusedError({ reason: 'The body is not an email (RFC 5322).' });
      }
      const from = mail.from?.value[0];
      if (!from?.address || !/^[^\s@]+@[^\s@]+$/.test(from.address)) {
        throw new UploadRefusedError({ reason: 'The email has no From address.' });
      }
      // Without a Message-ID (rare: MTAs add one), the bytes' digest keys it, so a retry is still one email.
      const messageId =
        normalMessageId(mail.messageId) ?? `<${createHash('sha256').update(body).digest('hex')}@inbound.groundwork>`;
      const sender = from.address.toLowerCase();
      const subject = (mail.subject ?? '').trim();
      const claimed = await store.claim(messageId, sender, subject);
      if (!claimed) {
        const previous = await store.byMessageId(messageId);
        res
          .status(200)
          .json({ data: { id: previous?.id ?? null, status: 'duplicate', was: previous?.status ?? null } });
        return;
      }
      const automatic = automaticReason(headerValues(mail), sender, ownAddresses);
      if (automatic) {
        await store.finish(claimed.id, { status: 'dropped', reason: automatic });
        logger.info({ inbound: claimed.id, reason: automatic }, 'inbound email dropped as automatic');
        res.status(202).json({ data: { id: claimed.id, status: 'dropped', reason: automatic } });
        return;
      }
      const handler = inboundHandlers.current();
      if (!handler) {
        await store.finish(claimed.id, { status: 'failed', reason: 'no domain handles inbound email' });
        throw new ServiceUnavailableError({ service: 'inbound email', reason: 'no domain handles inbound email' });
      }
      const replyTo = messageIdsOf(mail.inReplyTo, mail.references);
      const email: InboundEmail = {
        messageId,
        from: { address: sender, name: from.name ?? '' },
        subject,
        text: stripQuotedText(
          mail.text?.trim() ? mail.text : typeof mail.html === 'string' ? htmlToText(mail.html) : '',
        ),
        replyTo,
        sentFor: await store.sentFor(replyTo),
        attachmentCount: mail.attachments.length,
      };
      const attachments: { stored: string[]; refused: Array<{ name: string; reason: string }> } = {
        stored: [],
        refused: [],
      };
      const tools: InboundTools = {
        database,
        services,
        getSchema,
        unknownSenders: config!.GROUNDWORK_INBOUND_UNKNOWN_SENDERS,
        async accountabilityFor(userId) {
          const facts = (await users.accessFacts([userId])).get(userId);
          if (!facts || facts.user.status !== 'active') return null;
          const access = currentAccess(facts.user, facts.roles, facts.rows, req.accountability?.ip ?? null);
          // An email never acts as an administrator: a forged From would otherwise carry admin rights.
          if (access.admin) return null;
          return { ...(req.accountability as Accountability), user: userId, ...access, app: false };
        },
        async storeAttachments(role) {
          attachments.stored = await storeAttachments(files!, mail, role, claimed.id, attachments.refused, req);
          return attachments.stored;
        },
      };
      let outcome: InboundOutcome;
      try {
        outcome = await handler(email, tools);
      } catch (error) {
        // Recorded as failed, so the provider's retry claims it again (store.claim).
        await store.finish(claimed.id, { status: 'failed', reason: (error as Error).message, attachments });
        throw error;
      }
      if (outcome.status === 'accepted') {
        await store.finish(claimed.id, {
          status: 'accepted',
          result_collection: outcome.collection,
          result_item: outcome.item,
          attachments,
        });
        res.status(202).json({
          data: {
            id: claimed.id,
            status: 'accepted',
            collection: outcome.collection,
            item: outcome.item,
            attachments,
          },
        });
      } else {
        await store.finish(claimed.id, { status: outcome.status, reason: outcome.reason, attachments });
        logger.info(
          { inbound: claimed.id, status: outcome.status, reason: outcome.reason },
          'inbound email not posted',
        );
        res.status(202).json({ data: { id: claimed.id, status: outcome.status, reason: outcome.reason } });
      }
    }),
  );
}

/**
 * Each attachment (inline images included) through the uploads' check (files/upload.ts checkFile: content, allow
 * list, scanner, quarantine), then stored. A refused one is listed in `refused`; a scanner that cannot answer fails
 * the whole email (503: the provider retries). Stored without an accountability: customers may not upload files
 * (decision 0007), and these bytes passed the same check an upload does; the domain links each file only to the
 * ticket or message the sender's own accountability wrote.
 */
async function storeAttachments(
  deps: UploadDeps,
  mail: ParsedMail,
  role: string | null,
  inboundId: string,
  refused: Array<{ name: string; reason: string }>,
  req: Request,
): Promise<string[]> {
  if (mail.attachments.length === 0) return [];
  const stored: string[] = [];
  const limit = uploadLimitFor(role, deps.maxUploadBytes, deps.roleLimits);
  const schema = await (req.schema ? Promise.resolve(req.schema) : Promise.reject(new Error('no schema')));
  const service = new deps.services.FilesService({ schema });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'groundwork-inbound-'));
  try {
    for (const [index, attachment] of mail.attachments.entries()) {
      const name = attachment.filename ?? `attachment-${index + 1}`;
      if (limit && attachment.size > limit) {
        refused.push({ name, reason: 'larger than the upload limit' });
        continue;
      }
      const target = path.join(dir, `attachment-${index}`);
      await writeFile(target, attachment.content, { mode: 0o600 });
      let checked: { type: string; name: string };
      try {
        checked = await checkFile(
          deps,
          { path: target, name, size: attachment.content.length },
          { accountability: { ...(req.accountability as Accountability) }, requestId: req.id ?? null },
        );
      } catch (error) {
        if (isDirectusError(error) && error.status !== 503) {
          refused.push({ name, reason: error.message });
          continue;
        }
        throw error;
      }
      const bytes = createReadStream(target);
      const key = await service
        .uploadOne(bytes, {
          title: checked.name.replace(/\.[^.]*$/, ''),
          filename_download: checked.name,
          type: checked.type,
          description: `Attachment of inbound email ${inboundId}`,
        })
        .finally(() => bytes.destroy());
      stored.push(String(key));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return stored;
}

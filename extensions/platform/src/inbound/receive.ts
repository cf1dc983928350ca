// POST /groundwork/v1/inbound/email (decisions 0049, 0053): a mail provider posts an email; the request is verified
// by the configured scheme (a refusal is a 401 and a security event), its body read as raw MIME, Mailgun's form or
// Postmark's JSON, and the email handed to the pipeline (process.ts) that decides what it becomes.
import { randomBytes } from 'node:crypto';
import busboy from 'busboy';
import { ContentTooLargeError, RouteNotFoundError } from '@directus/errors';
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Response, Router } from 'express';
import type { UploadDeps } from '../files/upload.js';
import type { PlatformEnv } from '../shared/env.js';
import { InboundSignatureError, UploadRefusedError } from '../shared/errors.js';
import { route } from '../shared/http.js';
import { postmarkInbound, postmarkMime } from './core/postmark.js';
import { verifyBasicAuth, verifyMailgun, verifyStandardWebhook, type VerifyResult } from './core/signature.js';
import { inboundPipeline } from './process.js';

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

export function registerInboundEmailRoute(
  router: Router,
  context: EndpointExtensionContext,
  config: PlatformEnv | null,
  files: UploadDeps | null,
): void {
  const logger = context.logger.child({ capability: 'inbound-email' });
  const pipeline = config && files ? inboundPipeline({ ...context, logger, config, files }) : null;

  /** A refused request: a security event (who tried, why), then the 401. Nothing else is recorded. */
  async function refuse(req: Request, scheme: string, result: Extract<VerifyResult, { ok: false }>): Promise<never> {
    await files!
      .record({
        type: 'inbound_email',
        outcome: 'refused',
        ip: req.accountability?.ip ?? req.ip ?? null,
        requestId: typeof req.id === 'string' ? req.id : null,
        detail: { scheme, reason: result.reason },
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'inbound: could not record a refused request'));
    throw new InboundSignatureError({ reason: result.reason });
  }

  /** The email's raw MIME, once the request is verified. */
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
      if (!result.ok) return refuse(req, scheme, result);
      return body;
    }
    if (scheme === 'postmark') {
      // Checked before the body is read: credentials do not depend on it.
      const result = verifyBasicAuth(secret, header(req, 'authorization'));
      if (!result.ok) return refuse(req, scheme, result);
      return postmarkBody(req, max);
    }
    const form = await readMailgunForm(req, max);
    const result = verifyMailgun(secret, form, now, tolerance);
    if (!result.ok) return refuse(req, scheme, result);
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
      const answer = await pipeline!.receive(body, {
        schema: req.schema!,
        accountability: req.accountability as Accountability,
        requestId: typeof req.id === 'string' ? req.id : null,
      });
      res.status(answer.code).json({ data: answer.data });
    }),
  );
}

/**
 * Postmark's inbound JSON as the MIME email it describes (core/postmark.ts). Directus's JSON parser has read an
 * `application/json` body already (up to MAX_PAYLOAD_SIZE); any other is read here.
 */
async function postmarkBody(req: Request, max: number): Promise<Buffer> {
  let json: unknown = req.body;
  if (!(req as Request & { rawBody?: Buffer }).rawBody) {
    try {
      json = JSON.parse((await readBody(req, max)).toString('utf8'));
    } catch (error) {
      if (error instanceof ContentTooLargeError) throw error;
      throw new UploadRefusedError({ reason: 'The body is not JSON.' });
    }
  }
  const parsed = postmarkInbound.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UploadRefusedError({
      reason: `Not a Postmark inbound email: ${issue.path.join('.') || 'body'} ${issue.message}.`,
    });
  }
  return postmarkMime(parsed.data, `groundwork-${randomBytes(12).toString('hex')}`);
}

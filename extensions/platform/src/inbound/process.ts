// What happens to a verified inbound email (decisions 0049, 0053), shared by the route (receive.ts) and by the
// replay of held emails when their pending contact is activated (replay.ts): parsed (mailparser), de-duplicated by
// Message-ID, dropped when a machine sent it, refused when its From is not authenticated, dropped beyond the
// sender's hourly limit, then handed to the domain's handler, which decides what it becomes. Every decided outcome
// is answered 202 by the route; 200 for a Message-ID already recorded.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDirectusError } from '@directus/errors';
import type { Accountability, HookExtensionContext, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { simpleParser, type ParsedMail } from 'mailparser';
import { withinQuota } from '../files/quota.js';
import { checkFile, type UploadDeps } from '../files/upload.js';
import { uploadLimitFor } from '../files/core/limits.js';
import type { PlatformEnv } from '../shared/env.js';
import { ErrorCode, ServiceUnavailableError, UploadRefusedError } from '../shared/errors.js';
import { createUsersStore } from '../users/store.js';
import { currentAccess } from '../users/core/current-access.js';
import { inboundHandlers, type InboundEmail, type InboundOutcome, type InboundTools } from './contract.js';
import { senderVerdict } from './core/authentication.js';
import { htmlToText } from './core/html.js';
import { automaticReason, type HeaderValue } from './core/loop.js';
import { stripQuotedText } from './core/quotes.js';
import { messageIdsOf, normalMessageId } from './core/references.js';
import { inboundStore } from './store.js';

/** Who and what the work runs for: the request's (route) or nobody's (replay), and the schema to use. */
export interface ProcessScope {
  schema: SchemaOverview;
  /** The anonymous caller (the provider, its IP) the sender's accountability is built on. */
  accountability: Accountability;
  requestId: string | null;
}

export interface InboundAnswer {
  code: 200 | 202;
  data: Record<string, unknown>;
}

type Logger = HookExtensionContext['logger'];

/** Headers as core/loop.ts reads them: lower-case names, text values. */
function headerValues(mail: ParsedMail): Record<string, HeaderValue> {
  const values: Record<string, HeaderValue> = {};
  for (const line of mail.headerLines) {
    const colon = line.line.indexOf(':');
    values[line.key.toLowerCase()] = colon >= 0 ? line.line.slice(colon + 1).trim() : '';
  }
  return values;
}

/** Every Authentication-Results header's value, topmost first (the order MTAs prepend them in). */
const authenticationResults = (mail: ParsedMail): string[] =>
  mail.headerLines
    .filter((line) => line.key.toLowerCase() === 'authentication-results')
    .map((line) => line.line.slice(line.line.indexOf(':') + 1));

export const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

async function parse(body: Buffer): Promise<ParsedMail> {
  try {
    return await simpleParser(body, { skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
  } catch {
    throw new UploadRefusedError({ reason: 'The body is not an email (RFC 5322).' });
  }
}

export function inboundPipeline(deps: {
  database: Knex;
  services: HookExtensionContext['services'];
  getSchema: HookExtensionContext['getSchema'];
  env: Record<string, unknown>;
  logger: Logger;
  config: PlatformEnv;
  files: UploadDeps;
}) {
  const { database, services, getSchema, config, files, logger } = deps;
  const store = inboundStore(database);
  const users = createUsersStore(database);
  const ownAddresses = [
    ...listOf(config.GROUNDWORK_INBOUND_OWN_ADDRESSES),
    ...listOf(typeof deps.env['EMAIL_FROM'] === 'string' ? deps.env['EMAIL_FROM'] : undefined),
  ];
  const trustedIds = listOf(config.GROUNDWORK_INBOUND_EMAIL_AUTHSERV_IDS).map((id) => id.toLowerCase());

  /** The domain's handler on a claimed row; the outcome recorded. A held email keeps its bytes (replay.ts). */
  async function decide(
    mail: ParsedMail,
    body: Buffer,
    messageId: string,
    inboundId: string,
    scope: ProcessScope,
    failedStatus: 'failed' | 'held',
  ): Promise<InboundAnswer> {
    const handler = inboundHandlers.current();
    if (!handler) {
      await store.finish(inboundId, { status: failedStatus, reason: 'no domain handles inbound email' });
      throw new ServiceUnavailableError({ service: 'inbound email', reason: 'no domain handles inbound email' });
    }
    const from = mail.from!.value[0]!;
    const replyTo = messageIdsOf(mail.inReplyTo, mail.references);
    const email: InboundEmail = {
      messageId,
      from: { address: from.address!.toLowerCase(), name: from.name ?? '' },
      subject: (mail.subject ?? '').trim(),
      text: stripQuotedText(mail.text?.trim() ? mail.text : typeof mail.html === 'string' ? htmlToText(mail.html) : ''),
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
      unknownSenders: config.GROUNDWORK_INBOUND_UNKNOWN_SENDERS,
      async accountabilityFor(userId) {
        const facts = (await users.accessFacts([userId])).get(userId);
        if (!facts || facts.user.status !== 'active') return null;
        const access = currentAccess(facts.user, facts.roles, facts.rows, scope.accountability.ip ?? null);
        // An email never acts as an administrator: a forged From would otherwise carry admin rights.
        if (access.admin) return null;
        return { ...scope.accountability, user: userId, ...access, app: false };
      },
      async storeAttachments(sender) {
        attachments.stored = await storeAttachments(files, mail, sender, inboundId, attachments.refused, scope);
        return attachments.stored;
      },
    };
    let outcome: InboundOutcome;
    try {
      outcome = await handler(email, tools);
    } catch (error) {
      // Recorded as failed, so the provider's retry claims it again (store.claim); a replay stays held.
      await store.finish(inboundId, { status: failedStatus, reason: (error as Error).message, attachments });
      throw error;
    }
    if (outcome.status === 'accepted') {
      await store.finish(inboundId, {
        status: 'accepted',
        result_collection: outcome.collection,
        result_item: outcome.item,
        attachments,
        held_mime: null,
      });
      const { collection, item } = outcome;
      return { code: 202, data: { id: inboundId, status: 'accepted', collection, item, attachments } };
    }
    await store.finish(inboundId, {
      status: outcome.status,
      reason: outcome.reason,
      attachments,
      held_mime: outcome.status === 'held' ? body.toString('base64') : null,
    });
    logger.info({ inbound: inboundId, status: outcome.status, reason: outcome.reason }, 'inbound email not posted');
    return { code: 202, data: { id: inboundId, status: outcome.status, reason: outcome.reason } };
  }

  return {
    /** A verified request's email, from its bytes to the answer. */
    async receive(body: Buffer, scope: ProcessScope): Promise<InboundAnswer> {
      const mail = await parse(body);
      const from = mail.from?.value[0];
      if (!from?.address || !/^[^\s@]+@[^\s@]+$/.test(from.address)) {
        throw new UploadRefusedError({ reason: 'The email has no From address.' });
      }
      // Without a Message-ID (rare: MTAs add one), the bytes' digest keys it, so a retry is still one email.
      const messageId =
        normalMessageId(mail.messageId) ?? `<${createHash('sha256').update(body).digest('hex')}@inbound.groundwork>`;
      const sender = from.address.toLowerCase();
      const claimed = await store.claim(messageId, sender, (mail.subject ?? '').trim());
      if (!claimed) {
        const previous = await store.byMessageId(messageId);
        return { code: 200, data: { id: previous?.id ?? null, status: 'duplicate', was: previous?.status ?? null } };
      }
      const dropped = async (reason: string): Promise<InboundAnswer> => {
        await store.finish(claimed.id, { status: 'dropped', reason });
        logger.info({ inbound: claimed.id, reason }, 'inbound email dropped');
        return { code: 202, data: { id: claimed.id, status: 'dropped', reason } };
      };
      const automatic = automaticReason(headerValues(mail), sender, ownAddresses);
      if (automatic) return dropped(automatic);
      if (config.GROUNDWORK_INBOUND_EMAIL_SENDER_AUTH === 'dmarc') {
        const verdict = senderVerdict(authenticationResults(mail), sender, trustedIds);
        if (!verdict.authenticated) {
          // Never posted as the address's owner, nor made a pending contact: a From anyone could have written.
          const reason = `the sender is not authenticated: ${verdict.reason}`;
          await store.finish(claimed.id, { status: 'refused', reason });
          await files
            .record({
              type: 'inbound_email',
              outcome: 'unauthenticated_sender',
              ip: scope.accountability.ip ?? null,
              requestId: scope.requestId,
              detail: { inbound: claimed.id, verdict: verdict.reason.slice(0, 200) },
            })
            .catch((error: unknown) => logger.warn({ err: error }, 'inbound: could not record a security event'));
          logger.info({ inbound: claimed.id, reason }, 'inbound email refused');
          return { code: 202, data: { id: claimed.id, status: 'refused', reason } };
        }
      }
      const limit = config.GROUNDWORK_INBOUND_EMAIL_SENDER_LIMIT;
      if (limit > 0 && (await store.recentBySender(sender, claimed.id)) >= limit) {
        // Dropped as any other decision is (202): the answer does not tell a prober where the limit is.
        return dropped(`more than ${limit} emails in an hour from this sender`);
      }
      return decide(mail, body, messageId, claimed.id, scope, 'failed');
    },

    /**
     * The held emails of a contact just activated, posted now as them (oldest first). Each row is taken from `held`
     * in one statement, so two activations do not post it twice; one that fails stays held, with the reason.
     */
    async replayHeld(userId: string): Promise<number> {
      const user = (await database('directus_users').where({ id: userId }).first('email', 'status')) as
        | { email: string | null; status: string }
        | undefined;
      if (!user?.email || user.status !== 'active') return 0;
      const rows = await store.takeHeld(user.email.toLowerCase());
      const scope: ProcessScope = {
        schema: await getSchema(),
        // Nobody's request: the sender's accountability is built on an anonymous one, as on the route.
        accountability: { user: null, role: null, roles: [], admin: false, app: false, ip: null } as Accountability,
        requestId: null,
      };
      let posted = 0;
      for (const row of rows) {
        const body = Buffer.from(row.held_mime, 'base64');
        try {
          const mail = await parse(body);
          const answer = await decide(mail, body, row.message_id, row.id, scope, 'held');
          if (answer.data['status'] === 'accepted') posted += 1;
        } catch (error) {
          logger.warn({ err: error, inbound: row.id }, 'inbound: a held email could not be posted');
        }
      }
      return posted;
    },
  };
}

export type InboundPipeline = ReturnType<typeof inboundPipeline>;

/**
 * Each attachment (inline images included) through the uploads' check (files/upload.ts checkFile: content, allow
 * list, scanner, quarantine), then stored within the sender's storage quota (files/quota.ts), as an upload of theirs
 * would be. A refused one is listed in `refused`; a scanner that cannot answer fails the whole email (503: the
 * provider retries). Written without an accountability, as a system write of bytes that passed the same check an
 * upload does, so a sender's file permissions (fields, presets) do not decide whether their email keeps its
 * attachments; `uploaded_by` is then set to the sender, which counts the bytes against their quota and gives the
 * file the read rules of their own uploads. The domain links each file only to the ticket or message the sender's
 * own accountability wrote.
 */
async function storeAttachments(
  deps: UploadDeps,
  mail: ParsedMail,
  sender: Pick<Accountability, 'role' | 'user'>,
  inboundId: string,
  refused: Array<{ name: string; reason: string }>,
  scope: ProcessScope,
): Promise<string[]> {
  if (mail.attachments.length === 0) return [];
  const stored: string[] = [];
  const limit = uploadLimitFor(sender.role ?? null, deps.maxUploadBytes, deps.roleLimits);
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
      const size = attachment.content.length;
      let checked: { type: string; name: string };
      try {
        checked = await checkFile(
          deps,
          { path: target, name, size },
          { accountability: { ...scope.accountability }, requestId: scope.requestId },
        );
      } catch (error) {
        if (isDirectusError(error) && error.status !== 503) {
          refused.push({ name, reason: error.message });
          continue;
        }
        throw error;
      }
      try {
        const key = await withinQuota(deps.quota, sender.user, size, async (transaction) => {
          const knex = transaction ?? deps.quota.database;
          const writer = new deps.services.FilesService({ schema: scope.schema, knex });
          const bytes = createReadStream(target);
          const id = await writer
            .uploadOne(bytes, {
              title: checked.name.replace(/\.[^.]*$/, ''),
              filename_download: checked.name,
              type: checked.type,
              description: `Attachment of inbound email ${inboundId}`,
            })
            .finally(() => bytes.destroy());
          if (sender.user) await knex('directus_files').where({ id }).update({ uploaded_by: sender.user });
          return String(id);
        });
        stored.push(key);
      } catch (error) {
        // Over the sender's quota: the email goes on without this file, as an upload would be refused.
        if (isDirectusError(error, ErrorCode.StorageQuotaExceeded)) {
          refused.push({ name, reason: error.message });
          continue;
        }
        throw error;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return stored;
}

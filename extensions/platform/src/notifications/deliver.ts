// Delivery of one outbox row (the `notifications.deliver` job). Idempotent by the row's state:
// - in-app: the directus_notifications row and `sent` are written in one transaction, so it happens exactly once;
// - email: the row is claimed (`sending`, committed) before the SMTP call and marked `sent` right after it. A retry
//   or re-run that finds `sent` sends nothing. The one window left is SMTP's own: the server accepted the message
//   but the process died before `sent` was committed. The row then stays `sending`; after the lease the next
//   attempt sends it again (same Message-ID, so mail clients can fold the two). One statement wide, once per crash.
import type { HookExtensionContext } from '@directus/types';
import type { Knex } from 'knex';
import type { Job } from '../jobs/index.js';
import { decideAttempt, isPermanentMailError } from './core/outbox.js';
import { bodyToHtml } from './core/render.js';
import { lockNotification, markNotification, OUTBOX, type OutboxRow } from './store.js';

export interface DeliverDeps {
  database: Knex;
  services: HookExtensionContext['services'];
  getSchema: HookExtensionContext['getSchema'];
  emitter: Pick<HookExtensionContext['emitter'], 'emitAction'>;
  logger: HookExtensionContext['logger'];
  publicUrl: string;
  leaseSeconds: number;
  retryLimit: number;
}

interface ActionEvent {
  event: string | string[];
  meta: Record<string, unknown>;
  context: Record<string, unknown>;
}

export function createDeliver(deps: DeliverDeps) {
  const { database, logger } = deps;
  const host = (() => {
    try {
      return new URL(deps.publicUrl).hostname || 'groundwork.local';
    } catch {
      return 'groundwork.local';
    }
  })();
  const leaseMs = deps.leaseSeconds * 1000;
  const decide = (row: OutboxRow) =>
    decideAttempt(
      { status: row.status, lastAttemptAt: row.age_ms === null ? null : Date.now() - row.age_ms },
      Date.now(),
      leaseMs,
    );

  async function deliverInApp(id: string): Promise<void> {
    const actions: ActionEvent[] = [];
    await database.transaction(async (trx) => {
      const row = await lockNotification(trx, id);
      if (!row) return;
      const decision = decide(row);
      if (decision.kind !== 'send') return;
      if (!row.recipient) {
        // The user was deleted since fan-out (erasure sets the recipient null): nobody to notify, nothing to retry.
        await trx(OUTBOX)
          .where({ id })
          .update({ status: 'skipped', attempts: row.attempts + 1, last_error: 'the recipient no longer exists' });
        return;
      }
      const schema = await deps.getSchema({ database: trx });
      // ItemsService, not NotificationsService: the latter also emails users who keep Directus's
      // email_notifications on, which would be a second, unmanaged email channel. No accountability: system write.
      const notifications = new deps.services.ItemsService('directus_notifications', { schema, knex: trx });
      await notifications.createOne(
        {
          recipient: row.recipient,
          subject: row.subject,
          message: row.body,
          collection: row.collection,
          item: row.item,
        },
        { bypassEmitAction: (action: ActionEvent) => actions.push(action) },
      );
      await trx(OUTBOX)
        .where({ id })
        .update({ status: 'sent', sent_at: trx.fn.now(), attempts: row.attempts + 1, last_error: null });
    });
    // After commit, so websocket subscribers are told about a row they can read.
    for (const action of actions) deps.emitter.emitAction(action.event, action.meta, action.context);
  }

  let mailer: InstanceType<HookExtensionContext['services']['MailService']> | null = null;

  async function deliverEmail(id: string, finalAttempt: boolean): Promise<void> {
    const claimed = await database.transaction(async (trx) => {
      const row = await lockNotification(trx, id);
      if (!row) return null;
      const decision = decide(row);
      if (decision.kind === 'busy') throw new Error(`notification ${id} is being sent by another attempt`);
      if (decision.kind === 'done') return null;
      if (decision.resend) logger.warn({ notification: id }, 'resending after an attempt that did not finish');
      await trx(OUTBOX)
        .where({ id })
        .update({ status: 'sending', attempts: row.attempts + 1, last_attempt_at: trx.fn.now() });
      return row;
    });
    if (!claimed) return;

    const user = claimed.recipient
      ? await database('directus_users').where({ id: claimed.recipient }).first('email', 'status')
      : undefined;
    if (!user?.email || user.status !== 'active') {
      await markNotification(database, id, { status: 'skipped', last_error: 'recipient has no active address' });
      return;
    }
    try {
      mailer ??= new deps.services.MailService({ schema: await deps.getSchema(), knex: database });
      const info = (await mailer.send({
        to: user.email,
        subject: claimed.subject,
        text: claimed.body,
        html: bodyToHtml(claimed.body),
        messageId: `<${id}@${host}>`,
        headers: { 'X-Groundwork-Notification': id },
      })) as { messageId?: string } | null;
      await markNotification(database, id, {
        status: 'sent',
        sent_at: database.fn.now(),
        last_error: null,
        message_id: info?.messageId ?? `<${id}@${host}>`,
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const permanent = isPermanentMailError(error);
      await markNotification(database, id, {
        status: permanent || finalAttempt ? 'failed' : 'pending',
        last_error: message.slice(0, 1000),
      });
      logger.warn(
        { notification: id, permanent, finalAttempt, code: (error as { code?: string }).code },
        'email not sent',
      );
      // A permanent refusal is not retried; anything else is, with the queue's backoff, then dead-lettered.
      if (!permanent) throw error;
    }
  }

  return async function deliver(job: Job<{ id: string }>): Promise<void> {
    const row = await database(OUTBOX).where({ id: job.data.id }).first('channel');
    if (!row) return;
    if (row.channel === 'in_app') await deliverInApp(job.data.id);
    else await deliverEmail(job.data.id, job.attempt > deps.retryLimit);
  };
}

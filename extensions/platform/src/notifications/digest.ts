// The daily digest (`notifications.digest`, on a cron schedule and on demand): every email held for the digest
// (the user chose digest mode, or the rule is digest-only such as the managers' daily digest) is gathered per
// recipient into one email, which then goes through the same outbox and delivery job as any other.
// Per recipient, one transaction turns the held rows into `digested` and inserts the digest row with its job;
// the digest row's key (run × recipient) makes a retried run insert nothing twice.
import type { HookExtensionContext } from '@directus/types';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { enqueue, type Job } from '../jobs/index.js';
import { digestKey, groupForDigest, type HeldNotification } from './core/outbox.js';
import { createRenderer, type Template } from './core/render.js';
import { DELIVER_QUEUE } from './fan-out.js';
import { loadTemplates, OUTBOX } from './store.js';

export const DIGEST_QUEUE = 'notifications.digest';
export const DIGEST_TEMPLATE = 'digest';

/** Used when the `digest` template row is missing, so a digest is never lost for want of a template. */
const FALLBACK: Template = {
  key: DIGEST_TEMPLATE,
  subject: 'Your daily digest: {{ count }} notification{% if count != 1 %}s{% endif %}',
  body: '{% for n in notifications %}{{ n.subject }}\n{{ n.body }}\n\n{% endfor %}',
};

export interface DigestDeps {
  database: Knex;
  logger: HookExtensionContext['logger'];
}

export function createDigest(deps: DigestDeps) {
  const render = createRenderer();
  const { database } = deps;

  return async function digest(job: Job<unknown>): Promise<void> {
    const held = (await database(OUTBOX)
      .where({ status: 'held', channel: 'email' })
      .whereNotNull('recipient')
      .select('id', 'recipient', 'subject', 'body', 'event_type', 'date_created')) as Array<
      HeldNotification & { date_created: Date | string }
    >;
    const rows = held.map((row) => ({ ...row, date_created: new Date(row.date_created).toISOString() }));
    const template = (await loadTemplates(database, [DIGEST_TEMPLATE])).get(DIGEST_TEMPLATE) ?? FALLBACK;
    let sent = 0;
    for (const [recipient, group] of groupForDigest(rows)) {
      const done = await database.transaction(async (trx) => {
        // Lock and re-read: a concurrent run (or a retry of this one) may have taken some rows already.
        const still = await trx(OUTBOX)
          .whereIn(
            'id',
            group.map((row) => row.id),
          )
          .andWhere({ status: 'held' })
          .forUpdate()
          .select('id');
        const ids = new Set(still.map((row) => String(row.id)));
        const notifications = group.filter((row) => ids.has(row.id));
        if (notifications.length === 0) return false;
        const person = await trx('directus_users').where({ id: recipient }).first('id', 'first_name', 'last_name');
        const rendered = await render(
          template,
          {
            recipient: person ?? null,
            notifications,
            count: notifications.length,
          },
          'email',
        );
        const [inserted] = await trx(OUTBOX)
          .insert({
            id: randomUUID(),
            key: digestKey(job.id, recipient),
            event_type: 'notifications.digest',
            template: template.key,
            recipient,
            channel: 'email',
            status: 'pending',
            subject: rendered.subject,
            body: rendered.body,
            attempts: 0,
          })
          .onConflict('key')
          .ignore()
          .returning('id');
        if (!inserted) return false;
        await trx(OUTBOX)
          .whereIn('id', [...ids])
          .update({ status: 'digested', digest: inserted.id });
        await enqueue(trx, DELIVER_QUEUE, { id: inserted.id }, { singletonKey: inserted.id });
        return true;
      });
      if (done) sent++;
    }
    deps.logger.info({ recipients: sent, held: rows.length }, 'digest');
  };
}

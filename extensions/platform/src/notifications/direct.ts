// Notices the platform itself raises (a security burst), delivered like rule-made notifications: outbox rows (one
// per recipient and channel, rule null) and a delivery job each, in one transaction. The key makes a notice
// once-only: a second call with the same key (another instance, a retry) inserts nothing and enqueues nothing.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { enqueue } from '../jobs/index.js';
import { DELIVER_QUEUE } from './fan-out.js';
import { OUTBOX } from './store.js';

export interface DirectNotice {
  /** Unique per notice; each row's key adds recipient and channel. */
  key: string;
  eventType: string;
  recipients: string[];
  subject: string;
  body: string;
  /** Default both; a notice only the app should show (an import's end) names in_app alone. */
  channels?: ReadonlyArray<(typeof CHANNELS)[number]>;
}

const CHANNELS = ['in_app', 'email'] as const;

/** Returns how many rows were new (0 when the notice was already raised). */
export async function notifyDirectly(database: Knex, notice: DirectNotice): Promise<number> {
  if (notice.recipients.length === 0) return 0;
  return database.transaction(async (trx) => {
    const rows = notice.recipients.flatMap((recipient) =>
      (notice.channels ?? CHANNELS).map((channel) => ({
        id: randomUUID(),
        key: `${notice.key}:${recipient}:${channel}`,
        event_type: notice.eventType,
        rule: null,
        recipient,
        channel,
        status: 'pending',
        subject: notice.subject,
        body: notice.body,
        attempts: 0,
      })),
    );
    const inserted = (await trx(OUTBOX).insert(rows).onConflict('key').ignore().returning(['id'])) as Array<{
      id: string;
    }>;
    for (const { id } of inserted) await enqueue(trx, DELIVER_QUEUE, { id }, { singletonKey: id });
    return inserted.length;
  });
}

// Domain events to deliveries: for each enabled subscription whose patterns match, one delivery row (its message id
// derived from event and subscription, unique) and its first attempt's job, in one transaction. The outbox
// dispatches at least once; a second dispatch of the same event inserts nothing and enqueues nothing.
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { PublishedEvent } from '../events/index.js';
import { messageId, payloadOf } from './core/signing.js';
import { enqueueAttempt } from './deliver.js';
import { webhookStore } from './store.js';

export function createFanOut() {
  return async (event: PublishedEvent, ctx: { database: Knex }): Promise<void> => {
    const subscriptions = await webhookStore(ctx.database).subscriptionsFor(event.type);
    if (subscriptions.length === 0) return;
    await ctx.database.transaction(async (trx) => {
      const ids = await webhookStore(trx).insertDeliveries(
        subscriptions.map((subscription) => ({
          id: randomUUID(),
          subscription: subscription.id,
          message_id: messageId(event.id, subscription.id),
          event_id: event.id,
          event_type: event.type,
          payload: payloadOf(event),
        })),
      );
      for (const id of ids) await enqueueAttempt(trx, id, 'attempt-1');
    });
  };
}

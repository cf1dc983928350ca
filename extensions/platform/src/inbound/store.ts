// The inbound email record (collection inbound_emails, platform version inbound-email): the idempotency key and
// what each email became. Written by the route with the system's database handle: it is the platform's own log,
// written before any sender is known (and admins read it in the app).
import type { Knex } from 'knex';

export const INBOUND = 'inbound_emails';

export type InboundStatus = 'received' | 'accepted' | 'dropped' | 'refused' | 'held' | 'failed';

export interface InboundRow {
  id: string;
  status: InboundStatus;
  reason: string | null;
  result_collection: string | null;
  result_item: string | null;
}

export function inboundStore(database: Knex) {
  return {
    /**
     * Claims the Message-ID: the new row, or null when another request has it already (a retry, a replay). A row
     * whose processing failed is claimed again, so the provider's retry of a failed email is processed.
     */
    async claim(messageId: string, sender: string, subject: string): Promise<{ id: string } | null> {
      const rows = (await database.raw(
        `insert into ${INBOUND} (id, message_id, sender, subject, status, date_created)
         values (gen_random_uuid(), ?, ?, ?, 'received', now())
         on conflict (message_id) do update set status = 'received', reason = null, date_created = now()
           where ${INBOUND}.status = 'failed'
         returning id`,
        [messageId, sender.slice(0, 320), subject.slice(0, 998)],
      )) as { rows: Array<{ id: string }> };
      return rows.rows[0] ?? null;
    },
    byMessageId(messageId: string): Promise<InboundRow | undefined> {
      return database(INBOUND)
        .where({ message_id: messageId })
        .first('id', 'status', 'reason', 'result_collection', 'result_item');
    },
    async finish(
      id: string,
      values: {
        status: InboundStatus;
        reason?: string | null;
        result_collection?: string | null;
        result_item?: string | null;
        attachments?: unknown;
      },
    ): Promise<void> {
      await database(INBOUND)
        .where({ id })
        .update({
          ...values,
          reason: values.reason ? values.reason.slice(0, 1000) : null,
          ...(values.attachments === undefined ? {} : { attachments: JSON.stringify(values.attachments) }),
        });
    },
    /** What the notification emails with these Message-IDs were about (notification_outbox.message_id). */
    async sentFor(messageIds: string[]): Promise<Array<{ collection: string; item: string }>> {
      if (messageIds.length === 0) return [];
      const rows = (await database('notification_outbox')
        .whereIn('message_id', messageIds.slice(0, 50))
        .whereNotNull('collection')
        .whereNotNull('item')
        .distinct('collection', 'item')) as Array<{ collection: string; item: string }>;
      return rows;
    },
  };
}

export type InboundStore = ReturnType<typeof inboundStore>;

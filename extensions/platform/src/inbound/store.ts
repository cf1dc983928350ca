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
        /** The raw email (base64) of a held one, for its replay; null once it is no longer held. */
        held_mime?: string | null;
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
    /**
     * The sender's emails of the last hour that did work (became something, or were held), besides `except`: what
     * the per-sender limit counts (decision 0053). Refused and dropped ones cost no ticket and are not counted, so a
     * forger's emails in someone's name do not use up that person's limit. Index inbound_emails_sender (0008).
     */
    async recentBySender(sender: string, except: string): Promise<number> {
      const row = (await database(INBOUND)
        .where({ sender })
        .where('date_created', '>', database.raw("now() - interval '1 hour'"))
        .whereIn('status', ['accepted', 'held', 'received'])
        .whereNot({ id: except })
        .count({ n: '*' })
        .first()) as { n: string | number } | undefined;
      return Number(row?.n ?? 0);
    },
    /** The sender's held emails with their bytes, taken (status `received`) in one statement, oldest first. */
    async takeHeld(sender: string): Promise<Array<{ id: string; message_id: string; held_mime: string }>> {
      const rows = (await database.raw(
        `update ${INBOUND} set status = 'received', reason = null
           where id in (select id from ${INBOUND} where sender = ? and status = 'held' and held_mime is not null
                        for update skip locked)
         returning id, message_id, held_mime, date_created`,
        [sender],
      )) as { rows: Array<{ id: string; message_id: string; held_mime: string; date_created: Date }> };
      return rows.rows.sort((a, b) => a.date_created.getTime() - b.date_created.getTime());
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

// SQL of outgoing webhooks: subscriptions and deliveries (Directus collections, written here as system rows, like
// the notification outbox) and secrets (groundwork.webhook_secret, see install.ts).
import type { Knex } from 'knex';
import { activeAdminIds } from '../shared/admins.js';
import { matchesEventPattern } from '../events/core/pattern.js';

export const SUBSCRIPTIONS = 'webhook_subscriptions';
export const DELIVERIES = 'webhook_deliveries';
const SECRETS = 'groundwork.webhook_secret';

export interface SubscriptionRow {
  id: string;
  url: string;
  events: string[] | null;
  enabled: boolean;
  failing_since: Date | null;
  description: string | null;
}

export interface DeliveryRow {
  id: string;
  subscription: string;
  message_id: string;
  event_id: string | null;
  event_type: string;
  payload: unknown;
  status: string;
  attempts: number;
}

export interface NewDelivery {
  id: string;
  subscription: string;
  message_id: string;
  event_id: string;
  event_type: string;
  payload: unknown;
}

export function webhookStore(database: Knex | Knex.Transaction) {
  return {
    /** Enabled subscriptions one of whose patterns matches the type. */
    async subscriptionsFor(type: string): Promise<SubscriptionRow[]> {
      const rows = (await database(SUBSCRIPTIONS).where('enabled', true)) as SubscriptionRow[];
      return rows.filter((row) =>
        (Array.isArray(row.events) ? row.events : []).some((pattern) => matchesEventPattern(pattern, type)),
      );
    },

    async subscription(id: string): Promise<SubscriptionRow | null> {
      return ((await database(SUBSCRIPTIONS).where('id', id).first()) as SubscriptionRow | undefined) ?? null;
    },

    /** The ids of the deliveries that were new (a message id already logged inserts nothing). */
    async insertDeliveries(rows: NewDelivery[]): Promise<string[]> {
      if (rows.length === 0) return [];
      const inserted = (await database(DELIVERIES)
        .insert(
          rows.map((row) => ({
            ...row,
            payload: JSON.stringify(row.payload),
            status: 'pending',
            attempts: 0,
            // Directus fills date-created fields only through its services; the range replay selects on it.
            date_created: database.fn.now(),
          })),
        )
        .onConflict('message_id')
        .ignore()
        .returning(['id'])) as Array<{ id: string }>;
      return inserted.map((row) => row.id);
    },

    /**
     * Takes the delivery for one attempt: counts it and leases it. Nothing when it is delivered, failed or skipped,
     * not due yet (a job left from before a replay), or leased by another worker.
     */
    async claim(id: string, leaseSeconds: number): Promise<DeliveryRow | null> {
      const rows = (await database(DELIVERIES)
        .where('id', id)
        .whereIn('status', ['pending', 'retrying'])
        .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', database.fn.now()))
        .where((q) => q.whereNull('next_attempt_at').orWhereRaw('next_attempt_at <= now()'))
        .update({
          attempts: database.raw('attempts + 1'),
          locked_until: database.raw('now() + make_interval(secs => ?)', [leaseSeconds]),
          last_attempt_at: database.fn.now(),
        })
        .returning([
          'id',
          'subscription',
          'message_id',
          'event_id',
          'event_type',
          'payload',
          'status',
          'attempts',
        ])) as DeliveryRow[];
      return rows[0] ?? null;
    },

    /** An attempt that ended without a decision (a database error): the next job may take it at once. */
    async release(id: string): Promise<void> {
      await database(DELIVERIES).where('id', id).update({ locked_until: null });
    },

    async record(
      id: string,
      fields: {
        status: 'delivered' | 'retrying' | 'failed' | 'skipped';
        attempts?: number;
        last_status?: number | null;
        last_latency_ms?: number | null;
        response_excerpt?: string | null;
        last_error?: string | null;
        retryInSeconds?: number;
      },
    ): Promise<void> {
      const { retryInSeconds, ...rest } = fields;
      await database(DELIVERIES)
        .where('id', id)
        .update({
          ...rest,
          locked_until: null,
          next_attempt_at:
            retryInSeconds === undefined ? null : database.raw('now() + make_interval(secs => ?)', [retryInSeconds]),
          delivered_at: fields.status === 'delivered' ? database.fn.now() : null,
        });
    },

    /** Back to pending with fresh attempts, same message id. Null when there is no such delivery. */
    async reopen(id: string): Promise<{ id: string; message_id: string } | null> {
      const rows = (await database(DELIVERIES)
        .where('id', id)
        .update({ status: 'pending', attempts: 0, next_attempt_at: null, locked_until: null, last_error: null })
        .returning(['id', 'message_id'])) as Array<{ id: string; message_id: string }>;
      return rows[0] ?? null;
    },

    /** Reopens settled deliveries created in [from, to), oldest first, at most `limit`; returns their ids. */
    async reopenRange(range: {
      from: string;
      to: string;
      subscription?: string;
      statuses: readonly string[];
      limit: number;
    }): Promise<string[]> {
      const chosen = database(DELIVERIES)
        .select('id')
        .where('date_created', '>=', range.from)
        .where('date_created', '<', range.to)
        .whereIn('status', [...range.statuses])
        .modify((q) => {
          if (range.subscription) q.where('subscription', range.subscription);
        })
        .orderBy('date_created')
        .limit(range.limit);
      const rows = (await database(DELIVERIES)
        .whereIn('id', chosen)
        .update({ status: 'pending', attempts: 0, next_attempt_at: null, locked_until: null, last_error: null })
        .returning(['id'])) as Array<{ id: string }>;
      return rows.map((row) => row.id);
    },

    async succeeded(subscription: string): Promise<void> {
      await database(SUBSCRIPTIONS)
        .where('id', subscription)
        .whereNotNull('failing_since')
        .update({ failing_since: null });
    },

    /** Marks the endpoint failing (from the first failure on) and returns since when. */
    async failed(subscription: string): Promise<Date | null> {
      const rows = (await database(SUBSCRIPTIONS)
        .where('id', subscription)
        .update({ failing_since: database.raw('coalesce(failing_since, now())') })
        .returning(['failing_since'])) as Array<{ failing_since: Date }>;
      return rows[0] ? new Date(rows[0].failing_since) : null;
    },

    /** True when this call disabled it (not already off). */
    async disable(subscription: string, reason: string): Promise<boolean> {
      const changed = await database(SUBSCRIPTIONS)
        .where({ id: subscription, enabled: true })
        .update({ enabled: false, disabled_reason: reason.slice(0, 255) });
      return changed > 0;
    },

    async activeAdmins(): Promise<string[]> {
      return activeAdminIds(database);
    },

    // Secrets.

    /** Every secret that still signs, newest first. */
    async liveSecrets(subscription: string): Promise<string[]> {
      const rows = (await database(SECRETS)
        .where('subscription', subscription)
        .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', database.fn.now()))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .select('secret')) as Array<{ secret: string }>;
      return rows.map((row) => row.secret);
    },

    /** Sets the first secret; false when the subscription has one already. */
    async setFirstSecret(subscription: string, secret: string): Promise<boolean> {
      const result = await database.raw<{ rows: unknown[] }>(
        `INSERT INTO ${SECRETS} (subscription, secret) VALUES (?, ?)
         ON CONFLICT (subscription) WHERE expires_at IS NULL DO NOTHING RETURNING id`,
        [subscription, secret],
      );
      return result.rows.length > 0;
    },

    /** The current secret keeps signing for `overlapSeconds` beside the new one; long-expired ones go. */
    async rotate(subscription: string, secret: string, overlapSeconds: number): Promise<Date> {
      await database(SECRETS).where('subscription', subscription).where('expires_at', '<', database.fn.now()).delete();
      const expired = (await database(SECRETS)
        .where('subscription', subscription)
        .whereNull('expires_at')
        .update({ expires_at: database.raw('now() + make_interval(secs => ?)', [overlapSeconds]) })
        .returning(['expires_at'])) as Array<{ expires_at: Date }>;
      await database(SECRETS).insert({ subscription, secret });
      return expired[0] ? new Date(expired[0].expires_at) : new Date();
    },

    async deleteSecrets(subscriptions: string[]): Promise<void> {
      if (subscriptions.length) await database(SECRETS).whereIn('subscription', subscriptions).delete();
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;

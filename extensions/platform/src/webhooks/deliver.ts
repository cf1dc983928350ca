// One delivery attempt, run by a job of DELIVER_QUEUE: claim the delivery (so a replay and a scheduled retry never
// send at once), sign the stored payload with every live secret, POST it through the hardened client, and record what
// came back. A circuit breaker per endpoint (cockatiel, in memory per instance) stops attempts to an endpoint that
// failed `breaker.failures` times in a row: its deliveries wait out the cooldown without spending an attempt, then
// one trial decides. The schedule is ours, not pg-boss's (core/schedule.ts): a failed attempt enqueues the next one with its
// delay, and the job itself completes. pg-boss's own retries cover only a job that throws (a database error) or dies.
import { BrokenCircuitError } from 'cockatiel';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { breakerPerTarget } from '../http-client/breakers.js';
import { OutboundRequestError, type HttpClient, type OutboundResponse } from '../http-client/index.js';
import { enqueue, type Job } from '../jobs/index.js';
import { notifyDirectly } from '../notifications/direct.js';
import { decide, excerpt, retryAfterSeconds, windowExceeded, type AttemptResult } from './core/schedule.js';
import { signedHeaders } from './core/signing.js';
import { webhookStore, type DeliveryRow, type SubscriptionRow } from './store.js';

export const DELIVER_QUEUE = 'groundwork.webhooks-deliver';

export interface DeliverJob {
  delivery: string;
}

export interface DeliverDeps {
  database: Knex;
  http: HttpClient;
  schedule: readonly number[];
  disableAfterSeconds: number;
  leaseSeconds: number;
  breaker: { failures: number; cooldownSeconds: number };
  logger: { info(details: object, message: string): void; warn(details: object, message: string): void };
}

/**
 * Enqueues an attempt of a delivery. The key is unique per call: a job left from before a replay must not block the
 * replay's own retries; the claim (due time and lease) is what keeps two jobs from sending at once.
 */
export function enqueueAttempt(db: Knex | Knex.Transaction, delivery: string, reason: string, delaySeconds = 0) {
  return enqueue<DeliverJob>(
    db,
    DELIVER_QUEUE,
    { delivery },
    { singletonKey: `${delivery}:${reason}:${randomUUID()}`, startAfterSeconds: delaySeconds },
  );
}

/** A non-2xx answer, thrown inside the breaker so that it counts as a failure. */
class FailedAnswer extends Error {
  constructor(readonly response: OutboundResponse) {
    super(`HTTP ${response.status}`);
  }
}

export function createDeliver(deps: DeliverDeps) {
  const { database, http, logger } = deps;
  const store = webhookStore(database);
  const breakerFor = breakerPerTarget(deps.breaker);

  async function disable(subscription: SubscriptionRow, reason: string) {
    if (!(await store.disable(subscription.id, reason))) return;
    logger.warn({ subscription: subscription.id, reason }, 'webhooks: subscription disabled');
    // Admins hear of it in the app and by email, once per disabling (the key).
    await notifyDirectly(database, {
      key: `webhook-disabled:${subscription.id}:${Date.now()}`,
      eventType: 'webhooks.subscription.disabled',
      recipients: await store.activeAdmins(),
      subject: `Webhook disabled: ${subscription.description ?? subscription.url}`,
      body: `Deliveries to ${subscription.url} stopped: ${reason}. Re-enable the subscription once the receiver is fixed, then replay what it missed.`,
    });
  }

  /** Disables an endpoint failing since `failingSince` once the failure window has passed. */
  async function disableOutsideWindow(subscription: SubscriptionRow, failingSince: Date | null) {
    if (failingSince !== null && windowExceeded(failingSince, new Date(), deps.disableAfterSeconds))
      await disable(subscription, `no successful delivery since ${failingSince.toISOString()}`);
  }

  async function attempt(delivery: DeliveryRow) {
    const subscription = await store.subscription(delivery.subscription);
    if (!subscription?.enabled) {
      // Not sent: the attempt the claim counted is given back.
      await store.record(delivery.id, {
        status: 'skipped',
        attempts: delivery.attempts - 1,
        last_error: 'the subscription is disabled',
      });
      return;
    }
    const secrets = await store.liveSecrets(subscription.id);
    if (secrets.length === 0) {
      await store.record(delivery.id, {
        status: 'skipped',
        attempts: delivery.attempts - 1,
        last_error: 'the subscription has no secret: rotate one',
      });
      return;
    }
    const body = JSON.stringify(delivery.payload);
    const headers = signedHeaders(secrets, delivery.message_id, Math.floor(Date.now() / 1000), body);
    let result: AttemptResult;
    let answer: { last_status: number | null; last_latency_ms: number | null; response_excerpt: string | null };
    let error: string | null = null;
    let permanent = false;
    try {
      // The breaker counts an attempt as failed when it gets no answer or an answer other than 2xx.
      const response = await breakerFor(subscription.id).execute(async () => {
        const answer = await http.request({
          method: 'POST',
          url: subscription.url,
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        });
        if (answer.status < 200 || answer.status >= 300) throw new FailedAnswer(answer);
        return answer;
      });
      result = { kind: 'answer', status: response.status, retryAfterSeconds: null };
      answer = {
        last_status: response.status,
        last_latency_ms: response.latencyMs,
        response_excerpt: excerpt(response.body),
      };
    } catch (caught) {
      if (caught instanceof BrokenCircuitError) {
        // Not sent: the attempt the claim counted is given back, and the delivery waits for the breaker.
        await database.transaction(async (trx) => {
          await webhookStore(trx).record(delivery.id, {
            status: 'retrying',
            attempts: delivery.attempts - 1,
            last_error: 'circuit open: the endpoint keeps failing, not sent',
            retryInSeconds: deps.breaker.cooldownSeconds,
          });
          await enqueueAttempt(trx, delivery.id, 'breaker', deps.breaker.cooldownSeconds);
        });
        // The window counts from the first real failure; an open circuit does not stop that clock. Without this an
        // endpoint past its window stayed on until a half-open trial happened to fail after it (a cycle later).
        await disableOutsideWindow(
          subscription,
          subscription.failing_since === null ? null : new Date(subscription.failing_since),
        );
        return;
      }
      if (caught instanceof FailedAnswer) {
        const response = caught.response;
        result = {
          kind: 'answer',
          status: response.status,
          retryAfterSeconds: retryAfterSeconds(response.headers['retry-after'], new Date()),
        };
        answer = {
          last_status: response.status,
          last_latency_ms: response.latencyMs,
          response_excerpt: excerpt(response.body),
        };
      } else {
        if (!(caught instanceof OutboundRequestError)) throw caught;
        result = { kind: 'no_answer' };
        answer = { last_status: null, last_latency_ms: null, response_excerpt: null };
        error = caught.message;
        // A denied address or a URL that is no URL will not get better by waiting.
        permanent = caught.code === 'denied' || caught.code === 'invalid_url';
      }
    }
    const decision = permanent ? { outcome: 'failed' as const } : decide(result, delivery.attempts, deps.schedule);
    const log = { delivery: delivery.id, subscription: subscription.id, attempt: delivery.attempts, ...answer };
    switch (decision.outcome) {
      case 'delivered':
        await store.record(delivery.id, { status: 'delivered', ...answer });
        await store.succeeded(subscription.id);
        return;
      case 'gone':
        await store.record(delivery.id, { status: 'failed', ...answer, last_error: '410 Gone: subscription disabled' });
        await disable(subscription, `the receiver answered 410 Gone (${new Date().toISOString()})`);
        return;
      case 'retry':
        await database.transaction(async (trx) => {
          await webhookStore(trx).record(delivery.id, {
            status: 'retrying',
            ...answer,
            last_error: error ?? `HTTP ${answer.last_status}`,
            retryInSeconds: decision.delaySeconds,
          });
          await enqueueAttempt(trx, delivery.id, `attempt-${delivery.attempts + 1}`, decision.delaySeconds);
        });
        logger.info({ ...log, retryInSeconds: decision.delaySeconds }, 'webhooks: attempt failed, retry scheduled');
        break;
      case 'failed':
        await store.record(delivery.id, {
          status: 'failed',
          ...answer,
          last_error: error ?? `HTTP ${answer.last_status}`,
        });
        logger.warn(log, 'webhooks: delivery failed for good');
        break;
    }
    await disableOutsideWindow(subscription, await store.failed(subscription.id));
  }

  return async (job: Job<DeliverJob>): Promise<void> => {
    const delivery = await store.claim(job.data.delivery, deps.leaseSeconds);
    if (!delivery) return; // delivered, not due (a job from before a replay), or another worker's
    try {
      await attempt(delivery);
    } catch (error) {
      await store.release(delivery.id).catch(() => undefined);
      throw error;
    }
  };
}

// HTTP adapter for outgoing webhooks under /groundwork/v1/webhooks: create a subscription (its secret shown once),
// rotate its secret, send it a test event, replay one delivery or the settled ones of a time range. Admins only: a subscription sends domain data to any
// address the deny list allows and its secret signs as us, so this is an administrator's decision, as the
// collections themselves (no policy grants them).
import { randomUUID } from 'node:crypto';
import type { EndpointExtensionContext } from '@directus/types';
import type { Request, Router } from 'express';
import type { PlatformEnv } from '../shared/env.js';
import { ForbiddenError, InvalidCredentialsError, NotFoundError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import {
  createSubscriptionBody,
  idParams,
  REPLAY_RANGE_LIMIT,
  replayRangeBody,
  rotateSecretBody,
} from './core/contract.js';
import { generateSecret, messageId } from './core/signing.js';
import { enqueueAttempt } from './deliver.js';
import { SUBSCRIPTIONS, webhookStore, type SubscriptionRow } from './store.js';

/** Authorization before input parsing: a non-admin learns nothing about which ids or bodies are well-formed. */
function requireAdmin(req: Request): void {
  if (!req.accountability?.user && !req.accountability?.admin) throw new InvalidCredentialsError();
  if (req.accountability.admin !== true) throw new ForbiddenError();
}

const bodyOf = (req: Request) => (req.body && Object.keys(req.body as object).length ? req.body : {});

export function registerWebhookRoutes(
  router: Router,
  context: EndpointExtensionContext,
  config: PlatformEnv | null,
): void {
  const { database } = context;
  const overlapDefault = config?.GROUNDWORK_WEBHOOKS_SECRET_OVERLAP_SECONDS ?? 86400;

  async function existing(id: string): Promise<SubscriptionRow> {
    const subscription = await webhookStore(database).subscription(id);
    if (!subscription) throw new NotFoundError({ what: 'Webhook subscription' });
    return subscription;
  }

  router.post(
    '/v1/webhooks/subscriptions',
    route(async (req, res) => {
      requireAdmin(req);
      const body = parseInput(createSubscriptionBody, req.body, 'body');
      const id = randomUUID();
      const secret = generateSecret();
      // The secret first, so the create action's own (for subscriptions made in the admin app) finds one and adds none.
      await webhookStore(database).setFirstSecret(id, secret);
      try {
        // The caller's accountability: Directus's permissions, validation and activity log apply as for /items.
        const items = new context.services.ItemsService(SUBSCRIPTIONS, {
          schema: req.schema!,
          accountability: req.accountability ?? null,
        });
        await items.createOne({ id, ...body });
      } catch (error) {
        await webhookStore(database).deleteSecrets([id]);
        throw error;
      }
      const created = await existing(id);
      res.status(201).json({
        data: {
          id,
          url: created.url,
          events: created.events ?? [],
          description: created.description,
          enabled: created.enabled,
          secret,
        },
      });
    }),
  );

  router.post(
    '/v1/webhooks/subscriptions/:id/secret',
    route(async (req, res) => {
      requireAdmin(req);
      const { id } = parseInput(idParams, req.params, 'params');
      const { overlapSeconds } = parseInput(rotateSecretBody, bodyOf(req), 'body');
      await existing(id);
      const secret = generateSecret();
      const previousValidUntil = await database.transaction((trx) =>
        webhookStore(trx).rotate(id, secret, overlapSeconds ?? overlapDefault),
      );
      res.json({ data: { secret, previousValidUntil: previousValidUntil.toISOString() } });
    }),
  );

  router.post(
    '/v1/webhooks/subscriptions/:id/test',
    route(async (req, res) => {
      requireAdmin(req);
      const { id } = parseInput(idParams, req.params, 'params');
      await existing(id);
      const eventId = randomUUID();
      const delivery = randomUUID();
      const message = messageId(eventId, id);
      await database.transaction(async (trx) => {
        await webhookStore(trx).insertDeliveries([
          {
            id: delivery,
            subscription: id,
            message_id: message,
            event_id: eventId,
            event_type: 'webhook.test',
            payload: {
              type: 'webhook.test',
              timestamp: new Date().toISOString(),
              data: { event_id: eventId, subscription: id, requested_by: req.accountability?.user ?? null },
            },
          },
        ]);
        await enqueueAttempt(trx, delivery, 'attempt-1');
      });
      res.status(202).json({ data: { delivery, messageId: message } });
    }),
  );

  router.post(
    '/v1/webhooks/deliveries/replay',
    route(async (req, res) => {
      requireAdmin(req);
      const body = parseInput(replayRangeBody, req.body, 'body');
      const ids = await database.transaction(async (trx) => {
        const reopened = await webhookStore(trx).reopenRange({ ...body, limit: REPLAY_RANGE_LIMIT });
        for (const id of reopened) await enqueueAttempt(trx, id, 'replay');
        return reopened;
      });
      res.status(202).json({ data: { count: ids.length, deliveries: ids } });
    }),
  );

  router.post(
    '/v1/webhooks/deliveries/:id/replay',
    route(async (req, res) => {
      requireAdmin(req);
      const { id } = parseInput(idParams, req.params, 'params');
      const reopened = await database.transaction(async (trx) => {
        const row = await webhookStore(trx).reopen(id);
        if (row) await enqueueAttempt(trx, row.id, 'replay');
        return row;
      });
      if (!reopened) throw new NotFoundError({ what: 'Webhook delivery' });
      res.status(202).json({ data: { delivery: reopened.id, messageId: reopened.message_id } });
    }),
  );
}

// Outgoing webhooks (issue 13, decision 0037): subscriptions as data (webhook_subscriptions), every matching domain
// event becomes a signed delivery (webhook_deliveries) sent through the hardened HTTP client by jobs, on Svix's
// retry schedule. Registered from the platform hook; the routes (routes.ts) are on the groundwork endpoint.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import { onEvent } from '../events/index.js';
import { platformHttpClient } from '../http-client/index.js';
import { defineQueue } from '../jobs/index.js';
import type { PlatformEnv } from '../shared/env.js';
import { InvalidPayloadError } from '../shared/errors.js';
import { subscriptionInputIssues } from './core/contract.js';
import { parseRetrySchedule } from './core/schedule.js';
import { generateSecret } from './core/signing.js';
import { createDeliver, DELIVER_QUEUE } from './deliver.js';
import { createFanOut } from './fan-out.js';
import { SUBSCRIPTIONS, webhookStore } from './store.js';

export function registerWebhooks(
  register: RegisterFunctions,
  context: HookExtensionContext,
  config: PlatformEnv,
): void {
  const { filter, action } = register;
  const logger = context.logger.child({ capability: 'webhooks' });
  // Longer than any attempt (the client's total timeout), so a lease never runs out under a live attempt.
  const leaseSeconds = Math.ceil(config.GROUNDWORK_HTTP_TIMEOUT_MS / 1000) + 60;

  onEvent('*', createFanOut());
  defineQueue(
    DELIVER_QUEUE,
    createDeliver({
      database: context.database,
      http: platformHttpClient(context.env, config),
      schedule: parseRetrySchedule(config.GROUNDWORK_WEBHOOKS_RETRY_SCHEDULE),
      disableAfterSeconds: config.GROUNDWORK_WEBHOOKS_DISABLE_AFTER_SECONDS,
      leaseSeconds,
      breaker: {
        failures: config.GROUNDWORK_WEBHOOKS_BREAKER_FAILURES,
        cooldownSeconds: config.GROUNDWORK_WEBHOOKS_BREAKER_COOLDOWN_SECONDS,
      },
      logger,
    }),
    // Only for an attempt that throws (database down) or dies: the delivery schedule itself is in deliver.ts.
    { retryLimit: 5, retryDelaySeconds: 10, expireInSeconds: leaseSeconds },
  );

  // Subscriptions made or changed through /items (the admin app) get the same checks as the route's.
  const check = (payload: Record<string, unknown>, partial: boolean) => {
    const issues = subscriptionInputIssues(payload, partial);
    if (issues.length) throw new InvalidPayloadError({ issues });
    return payload;
  };
  filter(`${SUBSCRIPTIONS}.items.create`, (payload) => check(payload as Record<string, unknown>, false));
  filter(`${SUBSCRIPTIONS}.items.update`, (payload) => {
    const checked = check(payload as Record<string, unknown>, true);
    // Turning it back on starts afresh: no reason to show, no failing streak to count on.
    return checked.enabled === true ? { ...checked, disabled_reason: null, failing_since: null } : checked;
  });
  // One made in the admin app gets a secret nobody sees; an admin rotates it to learn one (POST .../secret).
  action(`${SUBSCRIPTIONS}.items.create`, async ({ key }) => {
    await webhookStore(context.database).setFirstSecret(String(key), generateSecret());
  });
  action(`${SUBSCRIPTIONS}.items.delete`, async ({ keys }) => {
    await webhookStore(context.database).deleteSecrets((keys as unknown[]).map(String));
  });
}

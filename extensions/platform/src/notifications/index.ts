// Notifications capability: rules as data turn domain events into outbox rows (fan-out), delivery jobs send them
// (email through Directus's MailService and its EMAIL_* settings; in-app as directus_notifications rows), and a
// daily digest gathers what users chose to receive once a day. Registered from the platform hook.
import type { HookExtensionContext } from '@directus/types';
import { onEvent } from '../events/index.js';
import { defineQueue, defineSchedule } from '../jobs/index.js';
import type { PlatformEnv } from '../shared/env.js';
import { createDeliver } from './deliver.js';
import { createDigest, DIGEST_QUEUE } from './digest.js';
import { createFanOut, DELIVER_QUEUE } from './fan-out.js';
import { loadDirectusModule } from '../shared/directus-internals.js';

type Emitter = HookExtensionContext['emitter'];

/**
 * Directus's own emitter. The context's `emitter` is the extensions' private one (extensions/manager.js
 * `localEmitter`): an action emitted there never reaches Directus's websocket hooks, so a subscriber to
 * directus_notifications was never told about the rows delivery writes (found by realtime-instances.test.ts). The
 * global one is imported from Directus; if it cannot be, the context's is used and a warning says what is lost.
 */
function directusEmitter(
  context: HookExtensionContext,
  logger: HookExtensionContext['logger'],
): Pick<Emitter, 'emitAction'> {
  const global = loadDirectusModule<{ default?: Emitter }>('emitter').then(
    (module) => {
      if (typeof module.default?.emitAction !== 'function') throw new Error('no default emitter');
      return module.default;
    },
    (error: unknown) => {
      logger.warn({ err: error }, 'Directus emitter not found: in-app notifications are not pushed to websockets');
      return context.emitter;
    },
  );
  return {
    emitAction: (...args: Parameters<Emitter['emitAction']>) =>
      void global.then((emitter) => emitter.emitAction(...args)),
  };
}

export function registerNotifications(context: HookExtensionContext, config: PlatformEnv): void {
  const logger = context.logger.child({ capability: 'notifications' });
  const publicUrl = String(context.env.PUBLIC_URL ?? 'http://localhost:8055');
  const retryLimit = config.GROUNDWORK_NOTIFICATIONS_RETRY_LIMIT;

  onEvent('*', createFanOut({ services: context.services, getSchema: context.getSchema, logger, publicUrl }));
  defineQueue(
    DELIVER_QUEUE,
    createDeliver({
      database: context.database,
      services: context.services,
      getSchema: context.getSchema,
      emitter: directusEmitter(context, logger),
      logger,
      publicUrl,
      leaseSeconds: config.GROUNDWORK_NOTIFICATIONS_LEASE_SECONDS,
      retryLimit,
    }),
    {
      retryLimit,
      retryDelaySeconds: config.GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS,
      retryBackoff: true,
      // Longer than any SMTP attempt (nodemailer gives up on a dead server well before), shorter than the lease.
      expireInSeconds: Math.max(60, Math.floor(config.GROUNDWORK_NOTIFICATIONS_LEASE_SECONDS / 2)),
    },
  );
  defineQueue(DIGEST_QUEUE, createDigest({ database: context.database, logger }), {
    retryLimit: 3,
    retryDelaySeconds: 60,
  });
  defineSchedule(DIGEST_QUEUE, config.GROUNDWORK_NOTIFICATIONS_DIGEST_CRON, {});
}

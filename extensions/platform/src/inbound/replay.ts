// Held inbound emails are posted once their sender's pending contact is activated (decision 0053): an action hook
// on users.update (after the write is committed) that finds the status turned `active` and replays that address's
// held emails through the same pipeline as the route (process.ts), as the now active customer. Only emails that
// passed every check before the handler (signature, loops, sender authentication, rate limit) were ever held.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import { uploadDeps } from '../files/index.js';
import type { SecurityStore } from '../security/store.js';
import type { PlatformEnv } from '../shared/env.js';
import { inboundPipeline } from './process.js';

export function registerInboundReplay(
  { action }: Pick<RegisterFunctions, 'action'>,
  context: HookExtensionContext,
  config: PlatformEnv,
  security: SecurityStore,
): void {
  if (!config.GROUNDWORK_INBOUND_EMAIL_SCHEME || !config.GROUNDWORK_INBOUND_EMAIL_SECRET) return;
  const logger = context.logger.child({ capability: 'inbound-email' });
  const pipeline = inboundPipeline({ ...context, logger, config, files: uploadDeps(context, config, security) });
  action('users.update', (meta) => {
    const payload = (meta as { payload?: Record<string, unknown> }).payload;
    if (payload?.['status'] !== 'active') return;
    const keys = ((meta as { keys?: unknown[] }).keys ?? []).map(String);
    for (const user of keys) {
      // Not awaited: the activation's answer does not wait for tickets; a failure leaves the email held (logged).
      void pipeline
        .replayHeld(user)
        .then((posted) => {
          if (posted > 0) logger.info({ user, posted }, 'inbound: held emails posted for an activated contact');
        })
        .catch((error: unknown) => logger.warn({ err: error, user }, 'inbound: held emails could not be replayed'));
    }
  });
}

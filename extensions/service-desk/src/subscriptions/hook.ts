// Adapter for the customer-subscription rule: a filter on incoming websocket messages (Directus's REST-style
// websocket; a thrown error reaches the client as an error message and the subscription is not made).
import { createError } from '@directus/errors';
import type { Accountability } from '@directus/types';
import { isCustomer } from '../shared/roles.js';
import { decideSubscription, type Message } from './core/subscription.js';

const SubscriptionRefusedError = createError<{ reason: string }>(
  'INVALID_PAYLOAD',
  (extensions) => `Invalid payload. ${extensions.reason}.`,
  400,
);

interface Logger {
  info(object: object, message: string): void;
}

export function guardSubscriptions(logger: Logger) {
  return (message: unknown, meta: Record<string, unknown>): unknown => {
    const client = meta.client as { accountability?: Accountability | null } | undefined;
    const accountability = client?.accountability;
    const customer = !!accountability && !accountability.admin && isCustomer(accountability.roles, accountability.role);
    const decision = decideSubscription((message ?? {}) as Message, customer);
    if (!decision.allowed) {
      logger.info({ reason: decision.reason }, 'customer subscription refused');
      throw new SubscriptionRefusedError({ reason: decision.reason });
    }
    return message;
  };
}

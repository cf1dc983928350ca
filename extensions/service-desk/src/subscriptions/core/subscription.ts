// Which websocket subscriptions a customer may hold. Directus filters create and update events (and the initial
// list) through the subscriber's permissions, but sends the keys of deleted rows to every subscriber of the
// collection, whatever their row filter: a customer would learn the ids of another organization's deleted tickets.
// So customers subscribe to create or update events only (one subscription each); staff are not restricted.

export type Message = Record<string, unknown>;
export type SubscriptionDecision = { allowed: true } | { allowed: false; reason: string };

export const CUSTOMER_EVENTS = ['create', 'update'] as const;

export function decideSubscription(message: Message, customer: boolean): SubscriptionDecision {
  if (!customer || message.type !== 'subscribe') return { allowed: true };
  const event = message.event;
  if (typeof event === 'string' && (CUSTOMER_EVENTS as readonly string[]).includes(event)) return { allowed: true };
  return {
    allowed: false,
    reason: `customers subscribe with "event": ${CUSTOMER_EVENTS.map((name) => `"${name}"`).join(' or ')}`,
  };
}

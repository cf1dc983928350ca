// Who may add which message to a ticket. Customers reply only on tickets of their own organization, only in
// public and only as themselves; staff are not restricted here (their permissions decide). Pure: the adapter
// looks the ticket and the user up in the write's transaction and passes what it found.

export type Payload = Record<string, unknown>;

export interface ReplyContext {
  /** The caller, or null for a call without a user (admin scripts, flows): not a customer. */
  user: { id: string; customer: boolean; organization: string | null } | null;
  /** The organization of the ticket the payload names; null when there is no such ticket. */
  ticketOrganization: string | null;
}

export type ReplyDecision = { allowed: true; payload: Payload } | { allowed: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The ticket key a payload names (tickets have uuid keys): a key, or a reference `{ id }` (GraphQL's form), which
 * Directus links without writing the ticket. Null for anything else: none, not a uuid, or a ticket object with more
 * fields (that would create or update a ticket through the reply).
 */
export function ticketKeyOf(payload: Payload): string | null {
  const ticket = payload.ticket;
  const key =
    ticket && typeof ticket === 'object' && !Array.isArray(ticket) && Object.keys(ticket).length === 1
      ? (ticket as { id?: unknown }).id
      : ticket;
  return typeof key === 'string' && UUID.test(key) ? key : null;
}

export function decideReply(payload: Payload, context: ReplyContext): ReplyDecision {
  const user = context.user;
  if (!user?.customer) return { allowed: true, payload };
  if (!user.organization) return { allowed: false, reason: 'customer without an organization' };
  // A nested ticket object would create or update a ticket through the reply: customers name an existing one.
  if (ticketKeyOf(payload) === null) return { allowed: false, reason: 'reply names no existing ticket' };
  if (context.ticketOrganization === null) return { allowed: false, reason: 'ticket not found' };
  if (context.ticketOrganization !== user.organization) {
    return { allowed: false, reason: 'ticket of another organization' };
  }
  if (payload.internal !== undefined && payload.internal !== false && payload.internal !== 'false') {
    return { allowed: false, reason: 'customers cannot write internal notes' };
  }
  if (payload.author !== undefined && payload.author !== null && payload.author !== user.id) {
    return { allowed: false, reason: 'customers reply as themselves' };
  }
  return { allowed: true, payload: { ...payload, internal: false, author: user.id } };
}

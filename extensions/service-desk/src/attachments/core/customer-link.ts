// Which files a customer may attach to which messages (decision 0047). A permission validation sees only the keys
// of a new ticket_messages_files row, so this rule is code: a customer attaches only a file they uploaded that is
// attached nowhere yet, to a public message they wrote on a ticket of their organization. Staff and services (no
// customer accountability) are left to their permissions. Pure: the adapter reads the facts in the transaction.
import { linkOf, type JunctionPayload } from './link.js';

export interface CustomerLinkFacts {
  user: { id: string; organization: string | null };
  /** The named file; null when there is none. `attachedTo`: messages it is already attached to (junction rows). */
  file: { uploadedBy: string | null; linkedTo: string | null; attachedTo: number } | null;
  /** The named message; null when there is none. */
  message: { author: string | null; internal: boolean; organization: string | null } | null;
}

export type CustomerLinkDecision = { allowed: true } | { allowed: false; reason: string };

const refuse = (reason: string): CustomerLinkDecision => ({ allowed: false, reason });

/** The keys a customer's junction row must name: an existing file and message, each by its uuid. */
export const customerLinkKeys = (payload: JunctionPayload) => linkOf(payload);

export function decideCustomerLink(payload: JunctionPayload, facts: CustomerLinkFacts): CustomerLinkDecision {
  // A nested object would create or change a file or a message through the link.
  if (!customerLinkKeys(payload)) return refuse('the link names no existing file and message by key');
  const { user, file, message } = facts;
  if (!user.organization) return refuse('customer without an organization');
  if (!file) return refuse('file not found');
  if (file.uploadedBy !== user.id) return refuse('a file someone else uploaded');
  if (file.linkedTo !== null || file.attachedTo > 0) return refuse('the file is attached already');
  if (!message) return refuse('message not found');
  if (message.internal) return refuse('an internal note');
  if (message.organization !== user.organization) return refuse('a message of another organization');
  if (message.author !== user.id) return refuse('a message the customer did not write');
  return { allowed: true };
}

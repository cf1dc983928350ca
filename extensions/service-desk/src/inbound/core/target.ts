// What an inbound email is about, from what it carries (decision 0049). Pure.
// - a Message-ID we sent a notification with, in In-Reply-To/References: the strongest link (only we know them);
// - else a ticket number in the subject, as our emails write it: `[SD-1042]` (tickets are numbered SD-1000 onwards
//   by the database, spec/service-desk/migrate.ts);
// - else nothing: a new ticket.

/** The ticket number `[SD-1042]` in a subject (the last one: a forward of a forward keeps older ones before it). */
export function ticketNumberIn(subject: string): string | null {
  const found = [...subject.matchAll(/\[\s*(SD-\d{1,12})\s*\]/gi)];
  return found.length > 0 ? found.at(-1)![1]!.toUpperCase() : null;
}

/** The subject for a new ticket: reply/forward prefixes removed, never empty. */
export function ticketSubject(subject: string): string {
  let rest = subject.trim();
  for (let previous = ''; previous !== rest; ) {
    previous = rest;
    rest = rest.replace(/^(re|fw|fwd|aw|wg|sv|tr)\s*:\s*/i, '').trim();
  }
  return (rest || '(no subject)').slice(0, 255);
}

/** The email address's domain, lower case, or null. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain =
    at > 0
      ? address
          .slice(at + 1)
          .trim()
          .toLowerCase()
      : '';
  return domain && !/\s/.test(domain) ? domain : null;
}

export type Target = { kind: 'reply'; ticket: string; by: 'in-reply-to' | 'reference' } | { kind: 'new' };

/** The ticket the reply goes to: the one our sent Message-IDs name, else the subject's number, else a new one. */
export function chooseTarget(sentTickets: readonly string[], referencedTicket: string | null): Target {
  if (sentTickets.length > 0) return { kind: 'reply', ticket: sentTickets[0]!, by: 'in-reply-to' };
  if (referencedTicket) return { kind: 'reply', ticket: referencedTicket, by: 'reference' };
  return { kind: 'new' };
}

export type SenderDecision =
  | { kind: 'customer'; user: string; organization: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'hold'; reason: string }
  | { kind: 'create-contact'; organization: string };

/**
 * Who the sender is: a known active customer acts as themself; anyone else is refused, or, with
 * `pending_contact`, becomes a draft customer of the organization of their email domain (the email is held).
 */
export function decideSender(
  user: { id: string; status: string; customer: boolean; organization: string | null } | null,
  domainOrganization: string | null,
  mode: 'reject' | 'pending_contact',
): SenderDecision {
  if (user) {
    if (!user.customer) return { kind: 'refuse', reason: 'the sender is staff: staff answer in the app' };
    if (user.status === 'draft') return { kind: 'hold', reason: 'the sender is a pending contact, not yet activated' };
    if (user.status !== 'active') return { kind: 'refuse', reason: `the sender's account is ${user.status}` };
    if (!user.organization) return { kind: 'refuse', reason: 'the sender belongs to no organization' };
    return { kind: 'customer', user: user.id, organization: user.organization };
  }
  if (mode === 'reject') return { kind: 'refuse', reason: 'unknown sender' };
  if (!domainOrganization)
    return { kind: 'refuse', reason: "unknown sender, and no organization has the sender's domain" };
  return { kind: 'create-contact', organization: domainOrganization };
}

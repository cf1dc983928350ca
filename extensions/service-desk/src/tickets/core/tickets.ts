// Who a ticket may name as its requester, and which ticket changes belong to its requester alone. Pure: the
// adapter (../hook.ts) reads the stored ticket and the people it names and passes them in.

/** A person a ticket names: their organization, and whether they are staff (a policy with app or admin access). */
export interface Person {
  organization: string | null;
  staff: boolean;
}

export type Key = string;
/** A many-to-one value as Directus accepts it: a key, `{ id }` of an existing row, a new row's object, or null. */
export type Reference = { key: Key | null } | { nested: true };

/** The key a many-to-one value names (`'uuid'` or `{ id: 'uuid', ... }`); `{ nested: true }` for a row to create. */
export function referenceOf(value: unknown): Reference {
  if (value === null || value === undefined || value === '') return { key: null };
  if (typeof value === 'string' || typeof value === 'number') return { key: String(value) };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    if (typeof id === 'string' || typeof id === 'number') return { key: String(id) };
  }
  return { nested: true };
}

/**
 * Why a ticket of `organization` may not have `requester`, or null when it may. The requester receives the ticket by
 * email, so they must belong to its organization. Staff (who have no organization and see every ticket anyway) may
 * be the requester of any ticket, e.g. one they open for themselves. No requester is allowed.
 */
export function requesterRefusal(organization: Reference, requester: Reference, person: Person | null): string | null {
  if ('key' in requester && requester.key === null) return null;
  if ('nested' in requester) return 'name the requester by the key of an existing user';
  if (!person) return 'the requester is not a user';
  if (person.staff && person.organization === null) return null;
  if ('nested' in organization) return 'a new organization has no members yet';
  if (person.organization !== null && person.organization === organization.key) return null;
  return organization.key === null
    ? 'a ticket without an organization can have only staff as its requester'
    : "the requester is not a member of the ticket's organization";
}

/**
 * Fields of a ticket only its requester changes among customers: the rating and the workflow move (a customer's
 * only move is reopening) with its comment. Replies through `messages` stay open to the whole organization.
 */
export const REQUESTER_ONLY_FIELDS = ['satisfaction', 'status', 'workflow_comment'];

/** True when a customer's update touches a requester-only field of a ticket whose requester is someone else. */
export function colleagueChangeRefused(payload: Record<string, unknown>, caller: Key, requester: Key | null): boolean {
  const touches = REQUESTER_ONLY_FIELDS.some((field) => field in payload);
  return touches && requester !== caller;
}

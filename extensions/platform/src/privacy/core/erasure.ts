// Erasure of a person (GDPR art. 17, BE-301 second half): who may erase whom, how text and JSON that name the
// person are redacted, what a domain reports back, and what the audit entry may hold. Pure: the adapters read
// and write; these functions decide. Decision 0021.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What replaces a person's words and any mention of them. */
export const ERASED = '[erased]';

export interface ErasureCaller {
  user: string | null;
  admin: boolean;
}

export type ErasureRefusal =
  | { refused: 'unauthenticated' }
  | { refused: 'forbidden' }
  | { refused: 'conflict'; reason: string };

/** Self-service: anyone signed in (the password check follows); an admin too, unless they are the last one. */
export function checkSelfErasure(caller: ErasureCaller): ErasureRefusal | null {
  return caller.user ? null : { refused: 'unauthenticated' };
}

/**
 * Admin route: admins only, and not on themselves (that is the self-service route, with the password). With a null
 * target only the caller is checked, so a non-admin is refused before the id is parsed.
 */
export function checkAdminErasure(caller: ErasureCaller, target: string | null): ErasureRefusal | null {
  if (!caller.user) return { refused: 'unauthenticated' };
  if (!caller.admin) return { refused: 'forbidden' };
  if (target !== null && caller.user === target)
    return { refused: 'conflict', reason: 'Use POST /groundwork/v1/users/me/erasure to erase your own account.' };
  return null;
}

/** Nobody may erase the last active administrator: the instance would have no one left to run it. */
export function checkLastAdmin(target: { admin: boolean }, otherActiveAdmins: number): ErasureRefusal | null {
  if (target.admin && otherActiveAdmins === 0)
    return { refused: 'conflict', reason: 'The last active administrator cannot be erased.' };
  return null;
}

/** The login-throttle key password guesses on the self-service route count under: a hash, never the id. */
export function erasureThrottleKey(id: string): string {
  return `erasure:account:${createHash('sha256').update(id).digest('hex')}`;
}

/** What identifies the person in free text: their id, their email, and their full name. */
export interface Identifiers {
  id: string;
  email: string | null;
  /** "First Last" when both are set. A first or last name alone is not searched: it would rewrite unrelated words. */
  fullName: string | null;
}

export function identifiersOf(user: {
  id: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
}): Identifiers {
  const first = user.first_name?.trim() ?? '';
  const last = user.last_name?.trim() ?? '';
  return {
    id: user.id,
    email: user.email?.trim() || null,
    fullName: first && last ? `${first} ${last}` : null,
  };
}

/** The strings searched for, longest first (so an email is replaced whole before a name inside it). */
export function searchTerms(identifiers: Identifiers): string[] {
  return [identifiers.email, identifiers.fullName, identifiers.id]
    .filter((term): term is string => typeof term === 'string' && term.length >= 3)
    .sort((a, b) => b.length - a.length);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every mention of the person (email, full name, id; any case; a full name with any run of spaces between its
 * parts) replaced by ERASED. Returns the same string when nothing matched.
 */
export function redactText(text: string, identifiers: Identifiers): string {
  let result = text;
  for (const term of searchTerms(identifiers)) {
    const pattern = new RegExp(term.split(/\s+/).map(escapeRegExp).join('\\s+'), 'gi');
    result = result.replace(pattern, ERASED);
  }
  return result;
}

/**
 * A JSON value (a revision, an event's data, a job's payload) with the person taken out: a string that *is* their id
 * becomes null (a reference, like the foreign keys set null), other strings have mentions redacted, and the keys in
 * `blankKeys` (the fields that held the person's words) become ERASED wherever they hold a string.
 */
export function scrubJson(
  value: unknown,
  identifiers: Identifiers,
  blankKeys: ReadonlySet<string> = new Set(),
): unknown {
  if (typeof value === 'string') {
    if (value.toLowerCase() === identifiers.id.toLowerCase()) return null;
    return redactText(value, identifiers);
  }
  if (Array.isArray(value)) return value.map((entry) => scrubJson(entry, identifiers, blankKeys));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [
        key,
        blankKeys.has(key) && typeof entry === 'string' ? ERASED : scrubJson(entry, identifiers, blankKeys),
      ]),
    );
  }
  return value;
}

/** True when scrubbing changed something (the adapter writes only those rows). */
export function changed(before: unknown, after: unknown): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

/**
 * Text the person wrote in a platform-owned place (a workflow comment, a Directus comment). Staff (people with app
 * access) wrote it as part of their work for the organization, so it stays with mentions of them redacted; anyone
 * else's words are replaced. Domains apply the same rule to their own text.
 */
export function ownText(text: string | null, staff: boolean, identifiers: Identifiers): string | null {
  if (text === null) return null;
  return staff ? redactText(text, identifiers) : ERASED;
}

/** What a domain did with its part and what it asks the platform to finish. */
export interface DomainErasure {
  /** Rows changed, by what was done, e.g. `tickets_anonymised: 2` (numbers only, for the audit entry). */
  counts: Record<string, number>;
  /**
   * Items whose fields held the person's words, now replaced: the platform blanks the same fields in their
   * revisions and redacts notifications about these items.
   */
  redacted: Array<{ collection: string; items: string[]; fields: string[] }>;
  /** Other items whose notifications may quote those words (e.g. a colleague's reply on a redacted ticket). */
  quotedBy: Array<{ collection: string; items: string[] }>;
  /** Files that are the person's though someone else uploaded them, to delete with their bytes. */
  removeFiles: string[];
  /** Files they uploaded that the domain keeps as the organization's record (their uploader is set to null). */
  keepFiles: string[];
}

/**
 * A domain's part of erasure, registered with its export (PersonalDataSource.erase). It runs inside the erasure's
 * transaction, before the platform's part and before the account is deleted.
 */
export interface ErasureRequest<Db> {
  /** The person being erased (their row still exists). */
  user: { id: string; email: string | null; first_name: string | null; last_name: string | null };
  identifiers: Identifiers;
  /** People with app access (staff) keep their work text, anonymised; customers' words are replaced. */
  staff: boolean;
  /** The erasure's transaction. */
  trx: Db;
}

export function emptyDomainErasure(): DomainErasure {
  return { counts: {}, redacted: [], quotedBy: [], removeFiles: [], keepFiles: [] };
}

/** Files to delete: the person's uploads and the domains' additions, minus what a domain keeps. */
export function filesToRemove(uploaded: readonly string[], domains: readonly DomainErasure[]): string[] {
  const keep = new Set(domains.flatMap((domain) => domain.keepFiles));
  const remove = new Set([...uploaded, ...domains.flatMap((domain) => domain.removeFiles)]);
  return [...remove].filter((id) => !keep.has(id)).sort();
}

/** Field names to blank per collection and item, from every domain's report. */
export function redactedFields(domains: readonly DomainErasure[]): Map<string, Set<string>> {
  const fields = new Map<string, Set<string>>();
  for (const { redacted } of domains) {
    for (const entry of redacted) {
      for (const item of entry.items) {
        const key = `${entry.collection}:${item}`;
        const set = fields.get(key) ?? new Set<string>();
        for (const field of entry.fields) set.add(field);
        fields.set(key, set);
      }
    }
  }
  return fields;
}

/**
 * The audit entry's detail (groundwork.security_events): who asked (an admin's id; for self-erasure nobody, since
 * the actor is the person), the reason with any mention of the person redacted, and counts. Never the person's id:
 * after erasure nothing may lead back to them; the request id ties the entry to the request that asked for it.
 */
export function auditDetail(input: {
  by: 'self' | 'admin';
  actor: string | null;
  staff: boolean;
  reason: string | null;
  identifiers: Identifiers;
  counts: Record<string, number>;
}): Record<string, unknown> {
  return {
    by: input.by,
    actor: input.by === 'admin' ? input.actor : null,
    subject_kind: input.staff ? 'staff' : 'customer',
    reason: input.reason === null ? null : redactText(input.reason, input.identifiers),
    counts: input.counts,
  };
}

/** Adds counts from several parts (platform and domains) into one record. */
export function sumCounts(...parts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [key, value] of Object.entries(part)) total[key] = (total[key] ?? 0) + value;
  return total;
}

// The routes' contract.

export const eraseSelfBody = z
  .object({
    password: z
      .string()
      .min(1)
      .max(1024)
      .describe('The current password: a stolen access token alone does not erase an account.'),
    otp: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe('A current TOTP code; required when two-factor authentication is on.'),
  })
  .strict();

export const eraseUserParams = z.object({ id: z.uuid().describe('The user to erase.') }).strict();

export const eraseUserBody = z
  .object({
    reason: z
      .string()
      .trim()
      .min(3)
      .max(500)
      .describe(
        "Why (e.g. the reference of the person's request). Kept in the audit entry with any mention of the person redacted.",
      ),
  })
  .strict();

export const erasureResult = z.object({
  data: z.object({
    erased: z.literal(true),
    counts: z.record(z.string(), z.number().int().nonnegative()).describe('What was deleted or anonymised.'),
  }),
});

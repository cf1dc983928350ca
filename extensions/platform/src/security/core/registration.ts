// Public registration that tells nobody but the mailbox owner what happened (decision 0013). Every address gets
// the same answer after the same time; the details go by mail to the address. Pure: the adapter does the I/O.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Directus's register body. `password` is accepted for Directus's SDK but never kept: the owner sets one later. */
export const registerBody = z
  .object({
    email: z.email().max(254),
    password: z.string().max(1024).optional(),
    first_name: z.string().max(50).optional(),
    last_name: z.string().max(50).optional(),
    verification_url: z.url().max(2048).optional(),
  })
  .strict();
export type RegisterBody = z.infer<typeof registerBody>;

/** What the answer may not reveal: which of these happened. */
export type RegistrationPath = 'verification_sent' | 'existing_account' | 'refused';

/** An existing account gets a mail; a new address or a pending (unverified) one goes through registration. */
export function registrationPath(existingStatus: string | null): 'register' | 'existing_account' {
  return existingStatus === null || existingStatus === 'unverified' ? 'register' : 'existing_account';
}

/**
 * Directus checks a password's policy on create; ours is never used (the create filter drops it), so give it
 * one that passes any sensible policy: 40 random characters, lower and upper case, a digit and a symbol.
 */
export function unusablePassword(): string {
  return `${randomBytes(30).toString('base64url')}aA1!`;
}

/** Directus's isUrlAllowed: the exact URL, or the same origin and path as an entry of the comma-separated list. */
export function isUrlAllowed(url: string, allowList: unknown): boolean {
  const entries = (Array.isArray(allowList) ? allowList : String(allowList ?? '').split(','))
    .map((entry) => String(entry).trim())
    .filter(Boolean);
  if (entries.includes(url)) return true;
  const base = (value: string) => {
    try {
      const parsed = new URL(value);
      return parsed.origin + parsed.pathname;
    } catch {
      return null;
    }
  };
  const target = base(url);
  return target !== null && entries.some((entry) => base(entry) === target);
}

/** Waits until `minimumMs` have passed since `startedMs` (performance.now() values), so every path takes as long. */
export async function stallUntil(minimumMs: number, startedMs: number, now: () => number): Promise<void> {
  const remaining = minimumMs - (now() - startedMs);
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
}

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function mail(subject: string, paragraphs: string[]): Mail {
  return {
    subject,
    text: paragraphs.join('\n\n'),
    html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n'),
  };
}

const NOT_YOU = 'If you did not try to register, you can ignore this mail: nothing was changed.';

/** To the owner of an address that already has an account. */
export function existingAccountMail(project: string, resetHint: string): Mail {
  return mail(`${project}: you already have an account`, [
    `Someone, probably you, tried to register with this email address at ${project}. This address already has an account, so no new one was made.`,
    `If you forgot your password, ask for a new one: ${resetHint}`,
    NOT_YOU,
  ]);
}

/** To the owner of an address whose registration was refused; `reason` is the refusal's message. */
export function refusedRegistrationMail(project: string, reason: string): Mail {
  return mail(`${project}: your registration was not completed`, [
    `Someone, probably you, tried to register with this email address at ${project}, and it could not be completed:`,
    reason,
    NOT_YOU,
  ]);
}

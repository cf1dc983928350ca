// What the background runs a user starts (imports, exports) share: they run with the user's access as it is when the
// job runs, never a system accountability, and they read an attempt's error the same way.
import type { Accountability } from '@directus/types';
import type { Knex } from 'knex';
import { currentAccess } from './core/current-access.js';
import { createUsersStore } from './store.js';

/**
 * The user's access now: their current role and policies (ip_access as at the request), or null when the account is
 * gone or not active. A role lowered since the request runs with the lower role.
 */
export function createRunAs(database: Knex) {
  const users = createUsersStore(database);
  return async function accountabilityNow(user: string, ip: string | null): Promise<Accountability | null> {
    const facts = (await users.accessFacts([user])).get(user);
    if (!facts || facts.user.status !== 'active') return null;
    return { user, ip, ...currentAccess(facts.user, facts.roles, facts.rows, ip) } as Accountability;
  };
}

/**
 * How an attempt failed: a refusal (a 4xx: the role lowered since, a field gone, a file refused) is the same on every
 * attempt and is not retried; `reason` is what the user reads (the refusal's own issues or reason, else the message).
 */
export function attemptFailure(error: unknown): { refusal: boolean; reason: string } {
  const status = (error as { status?: number }).status;
  const refusal = typeof status === 'number' && status >= 400 && status < 500;
  const issues = (error as { extensions?: { issues?: Array<{ message?: string }> } }).extensions?.issues;
  if (issues?.length) return { refusal, reason: issues.map((issue) => issue.message).join(' ') };
  const reason = (error as { extensions?: { reason?: string } }).extensions?.reason;
  return { refusal, reason: String(reason ?? (error as Error)?.message ?? error).slice(0, 1000) };
}

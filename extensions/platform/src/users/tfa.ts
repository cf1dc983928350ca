// Adapter for core/tfa.ts: a users.update filter. Directus's /users/me/tfa/disable writes `tfa_secret: null` through
// ItemsService with the caller's accountability, so the filter sees it; the users' policies (through their role or
// directly) are read with the event's database.
import type { Knex } from 'knex';
import { TfaRequiredError } from '../shared/errors.js';
import { clearsTfa, tfaResetRefused } from './core/tfa.js';

interface Context {
  database: Knex;
  accountability?: { user?: string | null; admin?: boolean } | null;
}

async function anyEnforced(database: Knex, users: string[]): Promise<boolean> {
  const row = await database('directus_users as u')
    .join('directus_access as a', (join) => join.on('a.role', 'u.role').orOn('a.user', 'u.id'))
    .join('directus_policies as p', 'p.id', 'a.policy')
    .whereIn('u.id', users)
    .where('p.enforce_tfa', true)
    .first(database.raw('1 as found'));
  return row !== undefined;
}

export function keepRequiredTfa() {
  return async (payload: unknown, meta: Record<string, unknown>, context: Context) => {
    const changes = (payload ?? {}) as Record<string, unknown>;
    const accountability = context.accountability ?? null;
    if (!clearsTfa(changes) || !accountability || accountability.admin) return payload;
    const keys = ((meta.keys as unknown[] | undefined) ?? []).map(String);
    const caller = { user: accountability.user ?? null, admin: false };
    if (tfaResetRefused(changes, caller, await anyEnforced(context.database, keys))) throw new TfaRequiredError();
    return payload;
  };
}

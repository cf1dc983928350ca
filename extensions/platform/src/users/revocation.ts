// Access tokens are JWTs that Directus 11 accepts until they expire without looking at the user's status (only
// session-mode tokens are checked against directus_sessions). These filters close that window: a JWT whose user
// is no longer active is refused on its next HTTP request (`authenticate`, 401) or websocket authentication
// (`websocket.authenticate`, AUTH_FAILED). Cost: one primary-key read per user per second (active users are
// remembered for ACTIVE_TTL_MS; a status change seen by this process is forgotten at once, other processes
// notice within ACTIVE_TTL_MS).
import type { Knex } from 'knex';
import { InvalidCredentialsError } from '../shared/errors.js';
import { createActiveUsers, type ActiveUsers } from './core/active-users.js';
import { accessTokenUser } from './core/deactivation.js';

export const ACTIVE_TTL_MS = 1000;

type TokenOf = (meta: Record<string, unknown>) => unknown;

/** HTTP: Directus's extract-token middleware has put the bearer token (header, query or cookie) on req.token. */
export const httpToken: TokenOf = (meta) => (meta.req as { token?: unknown } | undefined)?.token;
/** Websocket `auth` message: `{ type: 'auth', access_token }` (email/password and refresh_token already check status). */
export const websocketToken: TokenOf = (meta) => (meta.message as { access_token?: unknown } | undefined)?.access_token;

export function createRevocation(database: Knex): {
  refuseInactiveUsers(tokenOf: TokenOf): <T>(accountability: T, meta: Record<string, unknown>) => Promise<T>;
  /** For `users.update` / `users.delete` actions: keys of users whose status may have changed. */
  forget(meta: Record<string, unknown>): void;
} {
  const active: ActiveUsers = createActiveUsers({ ttlMs: ACTIVE_TTL_MS, maxEntries: 10_000, now: Date.now });
  return {
    refuseInactiveUsers(tokenOf) {
      return async (accountability, meta) => {
        const token = tokenOf(meta);
        const user = accessTokenUser(typeof token === 'string' ? token : null);
        if (!user || active.isFresh(user)) return accountability;
        const row = (await database('directus_users').where({ id: user }).first('status')) as
          | { status: string }
          | undefined;
        // An unknown id is left to Directus (a deleted user's token fails its own checks further on).
        if (row && row.status !== 'active') throw new InvalidCredentialsError();
        if (row) active.remember(user);
        return accountability;
      };
    },
    forget(meta) {
      const keys = (meta.keys as unknown[] | undefined) ?? [];
      for (const key of keys) if (typeof key === 'string') active.forget(key);
    },
  };
}

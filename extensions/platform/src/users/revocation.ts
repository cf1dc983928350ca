// Access tokens are JWTs that Directus 11 accepts until they expire without looking at the user's status (only
// session-mode tokens are checked against directus_sessions). This `authenticate` filter closes that window: a
// JWT whose user is no longer active is refused with 401 on its next request. Cost: one primary-key read per
// request that carries a JWT.
import type { Knex } from 'knex';
import { InvalidCredentialsError } from '../shared/errors.js';
import { accessTokenUser } from './core/deactivation.js';

interface AuthenticateMeta {
  req?: { token?: string | null };
}

export function refuseInactiveUsers(database: Knex) {
  return async <T>(accountability: T, meta: Record<string, unknown>): Promise<T> => {
    const user = accessTokenUser((meta as AuthenticateMeta).req?.token);
    if (!user) return accountability;
    const row = (await database('directus_users').where({ id: user }).first('status')) as
      | { status: string }
      | undefined;
    // An unknown id is left to Directus (a deleted user's token fails its own checks further on).
    if (row && row.status !== 'active') throw new InvalidCredentialsError();
    return accountability;
  };
}

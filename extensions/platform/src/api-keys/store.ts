// The API-key capability's I/O: its tables (sql.ts), the key rows, last use, seen signatures, and the facts the
// authentication needs about the key's user (read with the users capability's store).
import type { Knex } from 'knex';
import { installUnderLock } from '../shared/install.js';
import { currentAccess, type AccessRow, type RoleRow } from '../users/core/current-access.js';
import { createUsersStore } from '../users/store.js';
import type { ApiKeyView } from './core/contract.js';
import { keyState, LAST_USE_INTERVAL_MS, SIGNATURE_WINDOW_MS } from './core/key.js';
import { apiKeyInstallStatements } from './sql.js';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  policy: string;
  user_id: string;
  require_signature: boolean;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** A key as inserted: the database sets created_at; use and revocation come later. */
export type NewKeyRow = Omit<ApiKeyRow, 'last_used_at' | 'created_at' | 'revoked_at' | 'revoked_by'>;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** What the routes answer: never the hash. */
export function viewOf(row: ApiKeyRow, now: number): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    policy: row.policy,
    user: row.user_id,
    require_signature: row.require_signature,
    status: keyState({ revokedAt: row.revoked_at, expiresAt: row.expires_at }, now),
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    created_at: row.created_at.toISOString(),
    created_by: row.created_by,
    revoked_at: iso(row.revoked_at),
    revoked_by: row.revoked_by,
  };
}

export async function installApiKeyTables(database: Knex): Promise<void> {
  await installUnderLock(database, apiKeyInstallStatements);
}

export function apiKeyStore(database: Knex) {
  const users = createUsersStore(database);
  const keys = (db: Knex = database) => db<ApiKeyRow>('groundwork.api_keys');
  return {
    users,

    async byPrefix(prefix: string): Promise<ApiKeyRow | null> {
      return ((await keys().where({ prefix }).first()) as ApiKeyRow | undefined) ?? null;
    },

    async byId(id: string): Promise<ApiKeyRow | null> {
      return ((await keys().where({ id }).first()) as ApiKeyRow | undefined) ?? null;
    },

    async list(): Promise<ApiKeyRow[]> {
      return (await keys().orderBy('created_at', 'desc')) as ApiKeyRow[];
    },

    async insert(row: NewKeyRow, trx?: Knex): Promise<ApiKeyRow> {
      const [inserted] = (await keys(trx).insert(row).returning('*')) as ApiKeyRow[];
      return inserted!;
    },

    /** Revokes once: a second call keeps the first revocation's time and author. */
    async revoke(id: string, by: string | null, trx?: Knex): Promise<ApiKeyRow | null> {
      await keys(trx).where({ id }).whereNull('revoked_at').update({ revoked_at: new Date(), revoked_by: by });
      return ((await keys(trx).where({ id }).first()) as ApiKeyRow | undefined) ?? null;
    },

    /** Last use, written only when the stored one is older than the interval (parallel requests write once). */
    async recordUse(id: string): Promise<void> {
      await keys()
        .where({ id })
        .where((q) =>
          q
            .whereNull('last_used_at')
            .orWhere(
              'last_used_at',
              '<',
              database.raw('now() - make_interval(secs => ?)', [LAST_USE_INTERVAL_MS / 1000]),
            ),
        )
        .update({ last_used_at: database.fn.now() });
    },

    /** False when this signature was already seen for the key within the window: a replay. */
    async firstUseOfSignature(keyId: string, digest: string): Promise<boolean> {
      const result = (await database.raw(
        `INSERT INTO groundwork.api_key_signatures (key_id, digest, expires_at)
         VALUES (?, ?, now() + make_interval(secs => ?)) ON CONFLICT DO NOTHING`,
        // Twice the window: a timestamp may be up to one window ahead of the clock.
        [keyId, digest, (2 * SIGNATURE_WINDOW_MS) / 1000],
      )) as { rowCount: number };
      return result.rowCount === 1;
    },

    async pruneSignatures(): Promise<number> {
      const result = (await database.raw('DELETE FROM groundwork.api_key_signatures WHERE expires_at < now()')) as {
        rowCount: number;
      };
      return result.rowCount;
    },

    /** The policy's global flags, to refuse admin policies for keys. */
    async policy(id: string): Promise<{ id: string; admin_access: unknown } | null> {
      return (
        ((await database('directus_policies').where({ id }).first('id', 'admin_access')) as
          | { id: string; admin_access: unknown }
          | undefined) ?? null
      );
    },

    /** A user by static token (directus_users.token), to refuse static tokens of non-admins. */
    async userByStaticToken(token: string): Promise<{ id: string } | null> {
      return (
        ((await database('directus_users').where({ token, status: 'active' }).first('id')) as
          | { id: string }
          | undefined) ?? null
      );
    },

    /** Active users holding a static token (checked at boot). */
    async usersWithStaticTokens(): Promise<string[]> {
      return (
        (await database('directus_users').whereNotNull('token').where({ status: 'active' }).select('id')) as Array<{
          id: string;
        }>
      ).map((row) => row.id);
    },

    /** Whether a user with this id and role would have admin access (policies of the role tree or the user). */
    async wouldBeAdmin(user: { id: string; role: string | null }, ip: string | null): Promise<boolean> {
      const facts = (await users.accessFacts([user.id])).get(user.id);
      const roles = facts?.roles ?? ((await database('directus_roles').select('id', 'parent')) as RoleRow[]);
      const rows =
        facts?.rows ??
        ((await database('directus_access as a')
          .leftJoin('directus_policies as p', 'p.id', 'a.policy')
          .whereNotNull('a.role')
          .select('a.role', 'a.user', 'p.admin_access', 'p.app_access', 'p.ip_access')) as AccessRow[]);
      return currentAccess({ id: user.id, status: 'active', role: user.role }, roles, rows, ip).admin;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof apiKeyStore>;

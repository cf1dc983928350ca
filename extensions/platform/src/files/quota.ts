// Storage quotas on upload (core/quota.ts): the domain's resolver names the owner, and the check and the store run
// in one transaction holding a lock per owner, so two parallel uploads cannot both pass a quota only one fits.
import type { Knex } from 'knex';
import { QuotaExceededError } from '../shared/errors.js';
import { createQuotaOwnersRegistry, decideQuota, quotaLimit, type QuotaOwners } from './core/quota.js';

/** The one registry of quota owners: the domain registers through the platform API, uploads read it. */
export const quotaOwners = createQuotaOwnersRegistry<Knex>();

export interface QuotaDeps {
  database: Knex;
  owners: { resolver(): QuotaOwners<Knex> | null };
  /** GROUNDWORK_FILES_OWNER_QUOTA: the limit of an owner without its own; null: none. */
  defaultQuotaBytes: number | null;
}

/**
 * Runs `store` (which writes the file's row and bytes) within the uploader's quota. With an owner, `store` gets the
 * transaction to write in: the row's size is counted by the next upload only once this one commits, and that one
 * waits on the lock meanwhile. Without one (no resolver, no user, an owner-less uploader), `store` gets null.
 */
export async function withinQuota<T>(
  deps: QuotaDeps,
  user: string | null | undefined,
  incomingBytes: number,
  store: (transaction: Knex.Transaction | null) => Promise<T>,
): Promise<T> {
  const resolver = deps.owners.resolver();
  const owner = resolver && user ? await resolver.ownerOf(user, deps.database) : null;
  if (!resolver || !owner) return store(null);
  return deps.database.transaction(async (trx) => {
    // Released at commit or rollback; the key is hashed to the lock's bigint space (a collision only serialises more).
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`groundwork-files-quota:${owner.key}`]);
    const decision = decideQuota(
      await resolver.usedBytes(owner.key, trx),
      incomingBytes,
      quotaLimit(owner, deps.defaultQuotaBytes),
    );
    if (!decision.ok) throw new QuotaExceededError({ reason: decision.reason, limit: decision.limit });
    return store(trx);
  });
}

// The service desk's answer to the platform's storage quotas (core/quota-owner.ts): the owner of an upload and the
// bytes an owner stores, read in the platform's transaction (the platform holds the owner's lock meanwhile).
import type { Knex } from 'knex';
import { platform } from '../platform.js';
import { isCustomer } from '../shared/roles.js';
import { ownerScope, quotaOwnerOf } from './core/quota-owner.js';

async function ownerOf(user: string, database: Knex) {
  const row = await database('directus_users as u')
    .leftJoin('organizations as o', 'o.id', 'u.organization')
    .select('u.role', 'u.organization', 'o.storage_quota')
    .where('u.id', user)
    .first();
  if (!row) return null;
  return quotaOwnerOf({
    id: user,
    customer: isCustomer([], row.role),
    organization: row.organization ?? null,
    organizationQuota: row.storage_quota ?? null,
  });
}

/** Bytes of the owner's uploads: its users' files (a file whose uploader was erased counts for no one). */
async function usedBytes(owner: string, database: Knex): Promise<number> {
  const scope = ownerScope(owner);
  if (!scope) return 0;
  const query = database('directus_files as f').sum<Array<{ bytes: string | number | null }>>({ bytes: 'f.filesize' });
  if ('user' in scope) query.where('f.uploaded_by', scope.user);
  else query.join('directus_users as u', 'u.id', 'f.uploaded_by').where('u.organization', scope.organization);
  const [row] = await query;
  return Number(row?.bytes ?? 0);
}

export function registerQuotaOwners(): void {
  platform().files.registerQuotaOwners({ ownerOf, usedBytes });
}

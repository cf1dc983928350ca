// Whose storage quota an upload counts against (decision 0047), the service desk's answer to the platform's files
// capability: a customer's uploads count against their organization (its `storage_quota`, else the platform's
// default); a customer without one against themselves. Staff uploads count against no one: they are the provider's
// own files, made before anyone knows which ticket they will go to, and a customer's quota must not fill up by
// what agents attach (their size is bounded per role instead). Pure.

export interface Uploader {
  id: string;
  customer: boolean;
  organization: string | null;
  /** The organization's storage_quota, when it has one. */
  organizationQuota: number | string | null;
}

export interface QuotaOwner {
  key: string;
  quotaBytes: number | null;
}

/** Owner keys name what they count: an organization's customers, or one customer without an organization. */
export const organizationOwner = (organization: string) => `organization:${organization}`;
export const userOwner = (user: string) => `user:${user}`;

export function quotaOwnerOf(uploader: Uploader): QuotaOwner | null {
  if (!uploader.customer) return null;
  if (!uploader.organization) return { key: userOwner(uploader.id), quotaBytes: null };
  // bigInteger columns come back from pg as strings.
  const own = uploader.organizationQuota === null ? null : Number(uploader.organizationQuota);
  return {
    key: organizationOwner(uploader.organization),
    quotaBytes: own !== null && Number.isFinite(own) && own >= 0 ? own : null,
  };
}

/** What an owner key counts: the uploads of an organization's users, or of one user. */
export function ownerScope(key: string): { organization: string } | { user: string } | null {
  const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (!id) return null;
  if (kind === 'organization') return { organization: id };
  if (kind === 'user') return { user: id };
  return null;
}

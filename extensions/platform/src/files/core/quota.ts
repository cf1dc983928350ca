// Storage quotas per "quota owner" (issue 15 item 1). The platform knows no organizations: a domain registers a
// resolver (platform API `files.registerQuotaOwners`) that says which owner an uploader's files count against, the
// owner's own limit (data) if any, and the bytes the owner stores. The default limit is GROUNDWORK_FILES_OWNER_QUOTA.
// Pure: the adapter (files/quota.ts) reads the figures under a lock in the upload's transaction.

/** Whom an upload counts against, as the domain answers it. */
export interface QuotaOwner {
  /** A stable key of the owner (the service desk: `organization:<uuid>`). */
  key: string;
  /** The owner's own limit in bytes; null: the default. */
  quotaBytes: number | null;
}

/** A domain's answer to "whose storage does this upload use": the figures are read in the caller's transaction. */
export interface QuotaOwners<Db> {
  /** The owner the uploads of `user` count against; null: none (not limited by a quota, e.g. staff). */
  ownerOf(user: string, database: Db): Promise<QuotaOwner | null>;
  /** Bytes the owner stores now. */
  usedBytes(owner: string, database: Db): Promise<number>;
}

export type QuotaDecision = { ok: true; limit: number | null } | { ok: false; limit: number; reason: string };

/** The limit that applies: the owner's own, else the default; null: unlimited. 0 means nothing may be stored. */
export function quotaLimit(owner: QuotaOwner, defaultBytes: number | null): number | null {
  return owner.quotaBytes ?? defaultBytes;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Whether `incoming` more bytes fit in the owner's quota when it already stores `used`. */
export function decideQuota(used: number, incoming: number, limit: number | null): QuotaDecision {
  if (limit === null) return { ok: true, limit };
  if (used + incoming <= limit) return { ok: true, limit };
  return {
    ok: false,
    limit,
    reason:
      `The storage quota is used up: ${mib(used)} of ${mib(limit)} stored, this file needs ${mib(incoming)}. ` +
      'Remove files or ask for a larger quota.',
  };
}

/** The registry the platform API exposes: one resolver (the domain's); a second registration replaces it. */
export function createQuotaOwnersRegistry<Db>() {
  let current: QuotaOwners<Db> | null = null;
  return {
    register(owners: QuotaOwners<Db>): void {
      current = owners;
    },
    resolver(): QuotaOwners<Db> | null {
      return current;
    },
  };
}

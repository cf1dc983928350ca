// Who may create or change a share (directus_shares), and whether a share's link may sign in. Pure.
// - CVE-2026-129239: in Directus before 12.3.1 a non-admin with an update permission on shares can reassign a share's
//   user_created and role, and so hand out a link with another role's access. Directus 11.17.4 gives app users only
//   a read of their own shares, and no snapshot grants more; this rule holds even if a later permission does.
// - CVE-2026-61836: the response cache's key has no share context. A share's session has no user, so what a link
//   reads is stored under the anonymous key of its URL and served to anyone who asks for that URL without a token.
//   While the response cache is on (opt-in, decision 0081) no share is made and no link signs in.

export interface ShareCaller {
  user: string | null;
  admin: boolean;
}

export type ShareWrite = 'create' | 'update';

/** Why a share write is refused: the caller is not an admin (CVE-2026-129239), or the response cache is on. */
export type ShareRefusal = 'not-admin' | 'response-cache';

/**
 * Admins and Directus itself (no accountability) write shares; anyone else is refused. With the response cache on,
 * nobody creates one; an admin may still change an existing share (to end it, say). Null: allowed.
 */
export function shareWriteRefusal(
  caller: ShareCaller | null,
  write: ShareWrite,
  responseCache: boolean,
): ShareRefusal | null {
  if (caller !== null && !caller.admin) return 'not-admin';
  if (write === 'create' && responseCache) return 'response-cache';
  return null;
}

export const shareWriteAllowed = (caller: ShareCaller | null, write: ShareWrite, responseCache: boolean): boolean =>
  shareWriteRefusal(caller, write, responseCache) === null;

/** A share's link signs in only while the response cache is off. */
export const shareLoginAllowed = (responseCache: boolean): boolean => !responseCache;

/** Why a share is refused while the response cache is on: said to the caller, who may be the admin who can fix it. */
export const SHARES_OFF_WITH_CACHE =
  'Shares are off while the response cache is on (CACHE_ENABLED=true): its key has no share context (CVE-2026-61836).';

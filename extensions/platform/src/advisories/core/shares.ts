// Who may create or change a share (directus_shares). Pure. CVE-2026-129239: in Directus before 12.3.1 a non-admin
// with an update permission on shares can reassign a share's user_created and role, and so hand out a link with
// another role's access. Directus 11.17.4 gives app users only a read of their own shares, and no snapshot grants
// more; this rule holds even if a later permission does.

export interface ShareCaller {
  user: string | null;
  admin: boolean;
}

/** Admins and Directus itself (no accountability) write shares; anyone else is refused. */
export const shareWriteAllowed = (caller: ShareCaller | null): boolean => caller === null || caller.admin;

// Who may deactivate whom. Pure: the adapter gives the caller and the target as they are in the database.

export interface Caller {
  user: string | null;
  admin: boolean;
}

export type Refusal =
  | { refused: 'unauthenticated' }
  | { refused: 'forbidden'; reason: string }
  | { refused: 'conflict'; reason: string };

/** Self-service: any signed-in user but an administrator (who could lock everyone out: another admin does it). */
export function checkSelfDeactivation(caller: Caller): Refusal | null {
  if (!caller.user) return { refused: 'unauthenticated' };
  if (caller.admin) {
    return { refused: 'forbidden', reason: 'An administrator is deactivated by another administrator.' };
  }
  return null;
}

/**
 * Admin route: admins only, and not on themselves (that is the self-service route, with a password). With a null
 * target only the caller is checked, so a non-admin is refused before the id is even parsed.
 */
export function checkAdminDeactivation(caller: Caller, target: string | null): Refusal | null {
  if (!caller.user) return { refused: 'unauthenticated' };
  if (!caller.admin) return { refused: 'forbidden', reason: "You don't have permission to access this." };
  if (target !== null && caller.user === target) {
    return { refused: 'conflict', reason: 'Use POST /groundwork/v1/users/me/deactivate to deactivate yourself.' };
  }
  return null;
}

/**
 * The user id of a Directus access token, read without checking the signature: Directus checks it right after,
 * and a forged token only ever makes us refuse earlier. Null for static tokens and anything else.
 */
export function accessTokenUser(token: string | null | undefined): string | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (payload.iss !== 'directus') return null;
    return typeof payload.id === 'string' ? payload.id : null;
  } catch {
    return null;
  }
}

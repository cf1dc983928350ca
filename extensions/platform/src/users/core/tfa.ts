// Turning TOTP off. Pure. Directus 11.17.4 lets anyone with TOTP turn it off with POST /users/me/tfa/disable and a
// valid OTP, even when a policy of theirs enforces TOTP (only the admin app hides the button). Where TOTP is required,
// only an administrator may reset it (POST /users/:id/tfa/disable, e.g. after a lost phone).

export interface TfaCaller {
  user: string | null;
  admin: boolean;
}

/** True when the update clears `tfa_secret` (Directus's disable writes null). */
export const clearsTfa = (payload: Record<string, unknown>): boolean =>
  'tfa_secret' in payload && (payload.tfa_secret === null || payload.tfa_secret === '');

/** Whether a caller may clear the TOTP of users of whom `enforced` are under a policy with `enforce_tfa`. */
export function tfaResetRefused(
  payload: Record<string, unknown>,
  caller: TfaCaller | null,
  enforced: boolean,
): boolean {
  if (!clearsTfa(payload) || caller === null || caller.admin) return false;
  return enforced;
}

// Version login-throttle (issue 10, finding 2): Directus no longer suspends an account after failed logins, so an
// anonymous attacker cannot lock anybody out (admins included). The platform's login throttle (a backoff per account
// and client, answered with 429) replaces it (decision 0013). Self-contained: it touches only one setting.
import type { VersionAuthor } from './types.js';

/** null turns Directus's per-account limiter off (AuthenticationService consumes it only when not null; 0 would suspend at once). */
export const settings = { auth_login_attempts: null };

export const version: VersionAuthor = {
  name: 'login-throttle',
  async author(send, log) {
    await send('PATCH', '/settings', settings);
    log('settings: no suspension after failed logins (the platform throttles them instead)');
  },
};

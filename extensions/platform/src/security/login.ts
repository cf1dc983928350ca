// Adapter: the login throttle as middleware in front of Directus's POST /auth/login (and /auth/login/<provider>).
// The attempt is counted before Directus checks the password; the answer (401 or 200) is read once it is sent.
import type { NextFunction, Request, Response } from 'express';
import { RequestsExceededError } from '../shared/errors.js';
import { accountClientKey, accountKey } from './core/tokens.js';
import { retryAfterSeconds, type ThrottlePolicy } from './core/throttle.js';
import type { SecurityStore } from './store.js';

type Logger = { error(object: object, message: string): void };

export interface LoginPolicies {
  /** One account from one client. */
  client: ThrottlePolicy;
  /** One account from every client together. */
  account: ThrottlePolicy;
}

/** Directus's client address (req.ip follows IP_TRUST_PROXY), without the IPv4-in-IPv6 prefix. */
export function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function loginThrottle(deps: {
  store: SecurityStore;
  policies: LoginPolicies;
  findUserId: (identity: string) => Promise<string | null>;
  logger: Logger;
}) {
  const { store, policies, findUserId, logger } = deps;
  const log = (what: string) => (error: unknown) => logger.error({ err: error }, `security: ${what}`);

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The local provider logs in by email, LDAP by identifier; without either Directus answers 400 by itself.
    const identity =
      typeof body['email'] === 'string'
        ? body['email']
        : typeof body['identifier'] === 'string'
          ? body['identifier']
          : null;
    if (identity === null || identity.length === 0 || identity.length > 1024) return next();
    const ip = clientIp(req);
    const account = accountKey(identity);
    const keys = [
      { key: `login:client:${accountClientKey(identity, ip)}`, policy: policies.client },
      { key: `login:account:${account}`, policy: policies.account },
    ];
    const event = { accountKey: account, ip, requestId: typeof req.id === 'string' ? req.id : null };
    try {
      const decision = await store.attempt(keys);
      if (!decision.admitted) {
        const seconds = retryAfterSeconds(decision.retryAfterMs);
        res.setHeader('Retry-After', String(seconds));
        void findUserId(identity)
          .then((userId) =>
            store.record({ ...event, type: 'login', outcome: 'throttled', userId, detail: { retry_after: seconds } }),
          )
          .catch(log('could not record a throttled login'));
        return next(new RequestsExceededError({ retryAfterSeconds: seconds }));
      }
    } catch (error) {
      return next(error);
    }
    res.on('finish', () => {
      if (res.statusCode === 200) {
        store.reset(keys.map(({ key }) => key)).catch(log('could not reset the login throttle'));
      } else if (res.statusCode === 401) {
        void findUserId(identity)
          .then((userId) => store.record({ ...event, type: 'login', outcome: 'failed', userId }))
          .catch(log('could not record a failed login'));
      }
    });
    next();
  };
}

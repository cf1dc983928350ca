// Registers the security capability (decisions 0013, 0019): its tables, the login throttle in front of Directus's
// login, public registration that answers every address alike and lets only the mailbox owner choose a password,
// and security events (recorded from hooks and middlewares, burst alerts to admins, pruned after the retention).
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { Application } from 'express';
import { defineQueue, defineSchedule } from '../jobs/index.js';
import type { PlatformEnv } from '../shared/env.js';
import type { ThrottlePolicy } from './core/throttle.js';
import { loginThrottle, type LoginPolicies } from './login.js';
import { dropUnverifiedPassword, registrationRoutes } from './registration.js';
import { createBurstAlerts } from './alerts.js';
import { recordSecurityEvents, securityEventRoutes } from './recording.js';
import { installSecurityTables, securityStore, type SecurityStore } from './store.js';

/** Hourly: deletes throttle keys that have been quiet for longer than they are remembered, and security events
 * older than GROUNDWORK_SECURITY_EVENTS_RETENTION_DAYS. */
export const PRUNE_QUEUE = 'security.prune';

export function loginPolicies(config: PlatformEnv): LoginPolicies {
  const shared = {
    baseDelayMs: config.GROUNDWORK_LOGIN_BACKOFF_BASE_MS,
    maxDelayMs: config.GROUNDWORK_LOGIN_BACKOFF_MAX_SECONDS * 1000,
    forgetAfterMs: config.GROUNDWORK_LOGIN_FORGET_SECONDS * 1000,
  };
  return {
    client: { ...shared, freeAttempts: config.GROUNDWORK_LOGIN_FREE_ATTEMPTS },
    account: { ...shared, freeAttempts: config.GROUNDWORK_LOGIN_ACCOUNT_FREE_ATTEMPTS },
  };
}

/** Directus's registration limiter (RATE_LIMITER_REGISTRATION_*), kept for the route we take over. */
function registrationPolicy(env: Record<string, unknown>): ThrottlePolicy | null {
  if (env['RATE_LIMITER_REGISTRATION_ENABLED'] === false || env['RATE_LIMITER_REGISTRATION_ENABLED'] === 'false')
    return null;
  const points = Number(env['RATE_LIMITER_REGISTRATION_POINTS'] ?? 5);
  const windowMs = Number(env['RATE_LIMITER_REGISTRATION_DURATION'] ?? 60) * 1000;
  return { freeAttempts: points, baseDelayMs: windowMs, maxDelayMs: windowMs, forgetAfterMs: windowMs };
}

export function registerSecurity(
  { filter, init, action }: RegisterFunctions,
  context: HookExtensionContext,
  config: PlatformEnv,
): { store: SecurityStore } {
  const logger = context.logger.child({ capability: 'security' });
  const log = (what: string) => (error: unknown) => logger.error({ err: error }, `security: ${what}`);
  const alerts = createBurstAlerts({
    database: context.database,
    store: () => store,
    policy: {
      threshold: config.GROUNDWORK_SECURITY_BURST_THRESHOLD,
      windowMs: config.GROUNDWORK_SECURITY_BURST_WINDOW_SECONDS * 1000,
    },
    logger,
  });
  const store: SecurityStore = securityStore(context.database, Date.now, { afterRecord: alerts });

  filter('users.create', dropUnverifiedPassword());
  recordSecurityEvents({ action }, { store, log });

  // Throttle keys of addresses nobody tries any more (a spray of random addresses leaves two rows each).
  defineQueue(PRUNE_QUEUE, async () => {
    const policies = loginPolicies(config);
    const pruned = await store.prune(Math.max(policies.client.forgetAfterMs, policies.account.forgetAfterMs));
    if (pruned > 0) logger.info({ pruned }, 'security: pruned quiet login throttle keys');
    const events = await store.pruneEvents(config.GROUNDWORK_SECURITY_EVENTS_RETENTION_DAYS);
    if (events > 0) logger.info({ pruned: events }, 'security: pruned security events past their retention');
  });
  defineSchedule(PRUNE_QUEUE, '17 * * * *');

  // After body parsing, authentication and the IP rate limiter, before Directus's own /auth and /users routes.
  init('routes.before', async (meta) => {
    const app = meta['app'] as Application;
    try {
      await installSecurityTables(context.database);
    } catch (error) {
      // Serving without the tables would answer every login with a 500; stop like the jobs runtime does.
      logger.fatal({ err: error }, 'security: could not install the security tables');
      process.exit(1);
    }
    const throttle = loginThrottle({
      store,
      policies: loginPolicies(config),
      findUserId: async (identity) => {
        const row = (await context
          .database('directus_users')
          .whereRaw('lower(email) = ?', [identity.toLowerCase()])
          .first('id')) as { id: string } | undefined;
        return row?.id ?? null;
      },
      logger,
    });
    securityEventRoutes(app, { store, database: context.database, env: context.env, log });
    app.post(['/auth/login', '/auth/login/:provider'], throttle);
    const registration = registrationRoutes({
      context,
      store,
      registrationPolicy: registrationPolicy(context.env),
      log,
    });
    app.post('/users/register', registration.register);
    app.get('/users/register/verify-email', registration.verify);
  });
  return { store };
}

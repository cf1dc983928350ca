// Boot-time platform wiring: configuration check, request ids, health probes, and the jobs runtime (pg-boss) with
// the domain-events outbox. Capability hooks register here too.
import { defineHook } from '@directus/extensions-sdk';
import type { NextFunction, Request, Response } from 'express';
import { registerApiKeys } from './api-keys/index.js';
import { registerBadInput } from './bad-input/index.js';
import { registerCachePurge } from './cache-purge/index.js';
import { eventsContext } from './events/index.js';
import { registerProbeRoutes } from './health/routes.js';
import { redactRequestLog } from './logging/requests.js';
import { JOBS_MODULE_ID } from './jobs/core/module-bar.js';
import { enableModuleOnce } from './jobs/module-bar.js';
import { startJobs } from './jobs/runtime.js';
import { registerNotifications } from './notifications/index.js';
import { startPlatformMetrics } from './metrics/hook.js';
import { registerMetricsScrapeRoute } from './metrics/routes.js';
import { registerQueryGuard } from './query-guard/index.js';
import { registerAppSearch } from './search/items-search.js';
import { readPermissionsThroughOutage } from './redis-outage/index.js';
import { exposePlatformApi, platformApi } from './platform-api.js';
import { exportHandler } from './privacy/routes.js';
import { registerSecurityHeaders } from './security-headers/index.js';
import { checkEnv, describeEnvProblems } from './shared/env.js';
import { REQUEST_ID_HEADER, resolveRequestId } from './shared/request-id.js';
import { currentRequest, requestScope } from './shared/request-scope.js';
import { clientIp } from './security/login.js';
import { registerShareRules } from './advisories/shares.js';
import { createRevocation, httpToken, websocketToken } from './users/revocation.js';
import { keepRequiredTfa } from './users/tfa.js';
import { registerSecurity } from './security/index.js';
import { registerFiles } from './files/index.js';
import { registerInboundReplay } from './inbound/replay.js';
import { registerImportJobs } from './imports/background.js';
import { registerExportJobs } from './exports/background.js';
import { registerWorkflows } from './workflows/hook.js';
import { registerWebhooks } from './webhooks/index.js';
import { installWebhookSecrets } from './webhooks/install.js';

exposePlatformApi();

export default defineHook((register, context) => {
  const { init, filter, action } = register;
  const { env, logger, database } = context;
  const result = checkEnv(env);
  if (!result.ok) {
    logger.fatal(describeEnvProblems(result.problems));
    // Throwing would only make Directus log a warning and serve on a half-checked configuration
    // (unless EXTENSIONS_MUST_LOAD is on), so stop the process here. Directus's log streams are synchronous.
    process.exit(1);
  }
  const config = result.env;
  // First at app.before, so the health routes answer with them too: hardening headers, NUL bytes and database
  // data exceptions as 400s.
  registerSecurityHeaders(register, context, config);
  registerBadInput(register, context);
  // Permission checks go on from the database while Redis is down (decision 0051).
  void readPermissionsThroughOutage(logger.child({ capability: 'redis-outage' }));

  // Notifications: fan-out on every domain event, delivery and digest queues, the digest schedule.
  registerNotifications(context, config);
  const jobsLogger = logger.child({ capability: 'jobs' });

  // Metrics (metrics/): only with METRICS_TOKEN. Domains add their gauges through platformApi.metrics.
  const metrics = startPlatformMetrics({ database, config, logger: logger.child({ capability: 'metrics' }) });

  eventsContext.database = database;
  eventsContext.retentionDays = config.GROUNDWORK_EVENTS_RETENTION_DAYS;

  init('app.before', ({ app }) => {
    // First, so Directus's HTTP log line carries the same id (pino-http keeps an existing req.id).
    app.use((req: Request, res: Response, next: NextFunction) => {
      const id = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
      req.id = id;
      res.setHeader(REQUEST_ID_HEADER, id);
      // The rest of the request runs in its scope: action hooks read the request id from there (security events).
      requestScope.run({ requestId: id, ip: clientIp(req) }, next);
    });
    registerProbeRoutes(app, { database, logger: logger.child({ capability: 'health' }), config });
    // metrics: the request histogram and the scrape route, beside the probes and for the same reasons (metrics/routes.ts).
    if (metrics && config.METRICS_TOKEN) registerMetricsScrapeRoute(app, metrics, config.METRICS_TOKEN);
  });
  // logging: Directus's HTTP log line shows the route, never a query value, token or credential header (logging/).
  init('middlewares.before', ({ app }) => app.use(redactRequestLog()));
  if (String(env.LOG_LEVEL) === 'trace') {
    // Directus logs every SQL statement with its bound values at trace: emails, hashes and bodies included.
    logger.warn('LOG_LEVEL=trace logs every SQL statement with its values (personal data); never use it in production');
  }

  // privacy: the export also at /users/me/export, the path the issue names. Mounted after Directus's authentication
  // (middlewares.after) and before its users router, whose /users/:pk routes would answer it otherwise.
  init('routes.before', ({ app }) => app.get('/users/me/export', exportHandler(context, platformApi.privacy)));

  // Security (security/): login throttle, registration that only the mailbox owner completes, security events.
  // Before the revocation, which records the tokens it refuses as security events.
  const security = registerSecurity(register, context, config);

  // files: uploads checked by content and scanned before they are stored; server-side file fields are the server's.
  registerFiles(register, context, config, security.store);

  // inbound email: a pending contact's held emails are posted once staff activate the contact (inbound/replay.ts).
  registerInboundReplay(register, context, config, security.store);

  // users: a change of status, role or policies applies on the next request and websocket message, whatever
  // the token says (users/revocation.ts).
  const revocation = createRevocation(database, ({ userId, channel }) =>
    security.store
      .record({
        type: 'token',
        outcome: 'refused',
        actorId: userId,
        userId,
        ip: currentRequest()?.ip ?? null,
        requestId: currentRequest()?.requestId ?? null,
        detail: { channel },
      })
      .catch((error: unknown) => logger.error({ err: error }, 'users: could not record a refused token')),
  );
  filter('authenticate', revocation.refuseInactiveUsers(httpToken, 'http'));
  filter('websocket.authenticate', revocation.refuseInactiveUsers(websocketToken, 'websocket'));
  init('middlewares.after', ({ app }) => app.use(revocation.currentRole()));
  action('users.update', revocation.forget);
  action('users.delete', revocation.forget);
  for (const event of ['access', 'policies', 'roles'].flatMap((c) => [`${c}.create`, `${c}.update`, `${c}.delete`]))
    action(event, revocation.forgetAccess);
  action('websocket.connect', revocation.websocket.track);
  action('websocket.auth.success', revocation.websocket.track);
  action('websocket.close', revocation.websocket.untrack);
  action('websocket.error', revocation.websocket.untrack);
  filter('websocket.message', revocation.websocket.recheckOnMessage);
  revocation.websocket.sweep((error) => logger.warn({ err: error }, 'users: websocket access sweep failed'));

  // cache: a write in SQL to a policy table clears Directus's permissions cache (decision 0076) and, with
  // CACHE_ENABLED, one to access or data tables empties the response cache as a service write does (decision 0075).
  registerCachePurge(register, context, config);

  // users: where a policy requires TOTP, only an admin turns it off (users/tfa.ts; Directus enforces it in the app only).
  filter('users.update', keepRequiredTfa());

  // advisories: no non-admin creates or changes a share, whatever a permission grants (CVE-2026-129239); with the
  // response cache on, no share is made and no link signs in (CVE-2026-61836).
  registerShareRules(register, context);

  // After every extension has registered its queues, before the server listens: requests may enqueue at once.
  init('app.after', async () => {
    try {
      // webhooks: the secrets' table, before any delivery job can run (webhooks/install.ts).
      await installWebhookSecrets(database);
      await startJobs({ database, config, logger: jobsLogger });
      if (await enableModuleOnce(database, JOBS_MODULE_ID))
        jobsLogger.info('jobs: Jobs module added to the module bar');
    } catch (error) {
      // Directus would only log a warning and serve without jobs; enqueueing would then fail on every write.
      jobsLogger.fatal({ err: error }, 'jobs: could not start');
      process.exit(1);
    }
  });

  // Capabilities.
  registerWorkflows(register, context);
  registerQueryGuard(register, context);
  // Search: the app's `?search=` on a configured collection through the ranked index, as the caller (decision 0063).
  registerAppSearch(register, context);
  // API keys: a `gw_` bearer key acts as its service user, scoped to one policy; static tokens for admins only.
  registerApiKeys(register, context, config);
  // Outgoing webhooks: matching domain events become signed deliveries through the hardened HTTP client (webhooks/).
  registerWebhooks(register, context, config);
  // Background imports: the worker of POST /groundwork/v1/imports/:collection?background=true (imports/background.ts).
  registerImportJobs(context, config);
  // Background exports: the worker of POST /groundwork/v1/exports/:collection (exports/background.ts).
  registerExportJobs(context, config);
});

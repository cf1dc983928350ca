// The platform's authenticated HTTP surface: capabilities mount their versioned routes under /groundwork.
// (Health probes are mounted earlier, by the hook: see health/routes.ts.)
import { defineEndpoint } from '@directus/extensions-sdk';
import { apiKeyRouteDocs } from './api-keys/api.js';
import { assistRouteDocs } from './llm/api.js';
import { registerAssistRoutes } from './llm/routes.js';
import { registerApiKeyRoutes } from './api-keys/routes.js';
import { apiKeyStore } from './api-keys/store.js';
import { exportRouteDocs } from './exports/api.js';
import { registerExportRoutes } from './exports/routes.js';
import { healthRouteDocs } from './health/api.js';
import { importRouteDocs } from './imports/api.js';
import { inboundRouteDocs } from './inbound/api.js';
import { registerInboundEmailRoute } from './inbound/receive.js';
import { uploadDeps } from './files/index.js';
import { registerImportRoutes } from './imports/routes.js';
import { registerVersionRoute } from './health/routes.js';
import { notificationsRouteDocs } from './notifications/api.js';
import { registerNotificationRoutes } from './notifications/routes.js';
import { jobsRouteDocs } from './jobs/api.js';
import { metricsRouteDocs } from './metrics/api.js';
import { runningMetrics } from './metrics/index.js';
import { registerMetricsAdminRoute } from './metrics/routes.js';
import { registerJobRoutes } from './jobs/routes.js';
import { registerOpenApiRoute } from './openapi/routes.js';
import { platformApi } from './platform-api.js';
import { erasureRouteDocs, privacyRouteDocs } from './privacy/api.js';
import { registerPrivacyRoutes } from './privacy/routes.js';
import { reportRouteDocs } from './reports/api.js';
import { registerReportRoutes } from './reports/routes.js';
import { reportStore } from './reports/store.js';
import { searchRouteDocs } from './search/api.js';
import { registerSearchRoutes } from './search/routes.js';
import { securityRouteDocs } from './security/api.js';
import { registerSecurityRoutes } from './security/routes.js';
import { securityStore } from './security/store.js';
import { loginPolicies } from './security/index.js';
import { userRouteDocs } from './users/api.js';
import { registerUserRoutes } from './users/routes.js';
import { checkEnv } from './shared/env.js';
import { webhookRouteDocs } from './webhooks/api.js';
import { registerWebhookRoutes } from './webhooks/routes.js';
import { workflowRouteDocs } from './workflows/api.js';
import { workflowDefinitions } from './workflows/index.js';
import { registerWorkflowRoutes } from './workflows/routes.js';

export default defineEndpoint({
  id: 'groundwork',
  handler: (router, context) => {
    const config = checkEnv(context.env);
    registerVersionRoute(router);
    // metrics: admins read them here; scrapers with METRICS_TOKEN are served earlier, by the hook (metrics/routes.ts).
    registerMetricsAdminRoute(router, runningMetrics);
    // The security tables are installed by the hook at boot; this side reads events and records deactivations.
    const security = securityStore(context.database);
    registerUserRoutes(router, context, security); // users: BE-301 deactivation
    registerSecurityRoutes(router, { store: security }); // security: BE-902 events
    // privacy: BE-301 export and erasure (password guesses there count like logins).
    registerPrivacyRoutes(router, context, platformApi.privacy, config.ok ? loginPolicies(config.env).client : null);
    registerJobRoutes(router, { database: context.database });
    registerWorkflowRoutes(router, context, () =>
      workflowDefinitions(context.database, context.logger.child({ capability: 'workflows' })).get(),
    );
    registerNotificationRoutes(router, context);
    registerSearchRoutes(router, context); // search: issue 12, BE-303
    registerReportRoutes(router, reportStore(context)); // reports: issue 12, BE-602
    registerExportRoutes(router, context); // exports: issue 11 item 5
    // imports: issue 11 (decision 0042), checked against the workflow's initial states.
    registerImportRoutes(router, context, () =>
      workflowDefinitions(context.database, context.logger.child({ capability: 'imports' })).get(),
    );
    registerApiKeyRoutes(router, {
      context,
      store: apiKeyStore(context.database),
      security,
      serverSecret: config.ok ? (config.env.SECRET ?? null) : null,
    });
    // webhooks: subscriptions (secret shown once), rotation, test event, replay; admins only (webhooks/routes.ts).
    registerWebhookRoutes(router, context, config.ok ? config.env : null);
    // inbound email: signed by the provider, no bearer token; attachments through the uploads' check (inbound/).
    registerInboundEmailRoute(
      router,
      context,
      config.ok ? config.env : null,
      config.ok ? uploadDeps(context, config.env, security) : null,
    );
    // LLM assist on tickets (issue 13, decision 0050): off (404 LLM_NOT_CONFIGURED) without GROUNDWORK_LLM_*.
    registerAssistRoutes(router, context, config.ok ? config.env : null);
    registerOpenApiRoute(router, context, [
      ...healthRouteDocs,
      ...metricsRouteDocs,
      ...userRouteDocs,
      ...privacyRouteDocs,
      ...erasureRouteDocs,
      ...jobsRouteDocs,
      ...workflowRouteDocs,
      ...notificationsRouteDocs,
      ...securityRouteDocs,
      ...apiKeyRouteDocs,
      ...searchRouteDocs,
      ...reportRouteDocs,
      ...exportRouteDocs,
      ...importRouteDocs,
      ...webhookRouteDocs,
      ...inboundRouteDocs,
      ...assistRouteDocs,
      {
        method: 'get',
        path: '/groundwork/v1/openapi.json',
        operationId: 'groundworkOpenApi',
        summary: "This document, as the caller's permissions allow.",
        tag: 'Health',
        public: true,
        responses: { 200: { description: 'An OpenAPI 3.0 document.' } },
      },
    ]);
  },
});

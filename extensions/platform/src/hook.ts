// Boot-time platform wiring: configuration check, request ids and health probes. Capability hooks register here too.
import { defineHook } from '@directus/extensions-sdk';
import type { NextFunction, Request, Response } from 'express';
import { registerProbeRoutes } from './health/routes.js';
import { checkEnv, describeEnvProblems } from './shared/env.js';
import { REQUEST_ID_HEADER, resolveRequestId } from './shared/request-id.js';
import { registerWorkflows } from './workflows/hook.js';

export default defineHook((register, context) => {
  const { init } = register;
  const { env, logger, database } = context;
  const result = checkEnv(env);
  if (!result.ok) {
    logger.fatal(describeEnvProblems(result.problems));
    // Throwing would only make Directus log a warning and serve on a half-checked configuration
    // (unless EXTENSIONS_MUST_LOAD is on), so stop the process here. Directus's log streams are synchronous.
    process.exit(1);
  }
  const config = result.env;

  init('app.before', ({ app }) => {
    // First, so Directus's HTTP log line carries the same id (pino-http keeps an existing req.id).
    app.use((req: Request, res: Response, next: NextFunction) => {
      const id = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
      req.id = id;
      res.setHeader(REQUEST_ID_HEADER, id);
      next();
    });
    registerProbeRoutes(app, { database, logger: logger.child({ capability: 'health' }), config });
  });

  // Capabilities.
  registerWorkflows(register, context, config);
});

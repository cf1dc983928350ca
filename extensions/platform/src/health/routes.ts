// HTTP adapter for health under /groundwork/v1/health.
// Liveness and readiness are mounted on the app before Directus's middleware (like Directus's own /server/ping):
// probes from load balancers should not pay for authentication, schema loading or the rate limiter, and must keep
// answering when those depend on the database that is down. Errors still reach Directus's error handler.
import type { Application, Router } from 'express';
import type { Knex } from 'knex';
import { redisTarget, type PlatformEnv } from '../shared/env.js';
import { ForbiddenError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { readRunningVersions } from '../shared/versions.js';
import { readinessQuery } from './core/contract.js';
import { checkReadiness, type Probe } from './core/readiness.js';
import { postgresProbe, redisProbe } from './probes.js';

const PREFIX = '/groundwork/v1/health';

interface ProbeRouteDeps {
  database: Knex;
  logger: { warn(details: object, message: string): void };
  config: PlatformEnv;
}

export function registerProbeRoutes(app: Application, { database, logger, config }: ProbeRouteDeps): void {
  const probes: Probe[] = [postgresProbe(database)];
  const redis = redisTarget(config);
  if (redis) probes.push(redisProbe(redis, config.GROUNDWORK_HEALTH_TIMEOUT_MS));
  const query = readinessQuery(probes.map((probe) => probe.name));

  // Liveness touches no dependency: a process that answers is alive, even while Postgres restarts.
  app.get(`${PREFIX}/live`, (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'alive', uptimeSeconds: Math.round(process.uptime()) });
  });

  app.get(
    `${PREFIX}/ready`,
    route(async (req, res) => {
      const { checks } = parseInput(query, req.query, 'query');
      const selected = checks ? probes.filter((probe) => checks.includes(probe.name)) : probes;
      const report = await checkReadiness(selected, {
        timeoutMs: config.GROUNDWORK_HEALTH_TIMEOUT_MS,
        onFailure: (dependency, error) =>
          logger.warn({ requestId: req.id, dependency, err: error }, `readiness: ${dependency} is down`),
      });
      res.setHeader('cache-control', 'no-store');
      res.status(report.status === 'ready' ? 200 : 503).json(report);
    }),
  );
}

/** On the endpoint router (mounted at /groundwork), after authentication: it needs the caller's accountability. */
export function registerVersionRoute(router: Router): void {
  const versions = readRunningVersions();
  // Exact Directus and Node versions map to known advisories, so only admins see them.
  router.get(
    '/v1/health/version',
    route((req, res) => {
      if (req.accountability?.admin !== true) throw new ForbiddenError();
      res.json(versions);
    }),
  );
}

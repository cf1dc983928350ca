// HTTP adapter for health: liveness, readiness and the running version under /groundwork/v1/health.
import type { Router } from 'express';
import type { EndpointExtensionContext } from '@directus/types';
import { z } from 'zod';
import type { PlatformEnv } from '../shared/env.js';
import { ForbiddenError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { readRunningVersions } from '../shared/versions.js';
import { checkReadiness, type Probe } from './core/readiness.js';
import { postgresProbe, redisProbe } from './probes.js';

export function registerHealthRoutes(router: Router, context: EndpointExtensionContext, config: PlatformEnv): void {
  const logger = context.logger.child({ capability: 'health' });
  const probes: Probe[] = [postgresProbe(context.database)];
  if (config.REDIS) probes.push(redisProbe(config.REDIS, config.GROUNDWORK_HEALTH_TIMEOUT_MS));
  const probeNames = probes.map((probe) => probe.name) as [string, ...string[]];
  const versions = readRunningVersions();

  const readinessQuery = z.object({
    // e.g. ?checks=postgres: a load balancer may care about one dependency only.
    checks: z
      .string()
      .transform((value) => value.split(',').map((name) => name.trim()))
      .pipe(z.array(z.enum(probeNames, { error: `must name configured checks: ${probeNames.join(', ')}` })))
      .optional(),
  });

  // Liveness touches no dependency: a process that answers is alive, even while Postgres restarts.
  router.get('/v1/health/live', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'alive', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get(
    '/v1/health/ready',
    route(async (req, res) => {
      const { checks } = parseInput(readinessQuery, req.query, 'query');
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

  // Exact Directus and Node versions map to known advisories, so only admins see them.
  router.get(
    '/v1/health/version',
    route((req, res) => {
      if (req.accountability?.admin !== true) throw new ForbiddenError();
      res.json(versions);
    }),
  );
}

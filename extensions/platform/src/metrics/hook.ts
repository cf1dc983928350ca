// Boot wiring of metrics (called by the platform hook): with METRICS_TOKEN, the registry with the platform's
// collectors; without it, nothing (null), and no route or middleware is mounted.
import type { Knex } from 'knex';
import { postgresProbe, redisProbe } from '../health/probes.js';
import { jobsRegistry } from '../jobs/index.js';
import { redisTarget, type PlatformEnv } from '../shared/env.js';
import {
  jobsCollector,
  notificationsCollector,
  outboxCollector,
  poolCollector,
  readinessCollector,
} from './collectors.js';
import type { Metrics } from './core/registry.js';
import { startMetrics } from './index.js';

export function startPlatformMetrics({
  database,
  config,
  logger,
}: {
  database: Knex;
  config: PlatformEnv;
  logger: { warn(details: object, message: string): void };
}): Metrics | null {
  if (!config.METRICS_TOKEN) return null;
  const probes = [postgresProbe(database)];
  const redis = redisTarget(config);
  if (redis) probes.push(redisProbe(redis, config.GROUNDWORK_HEALTH_TIMEOUT_MS));
  return startMetrics(
    {
      timeoutMs: config.GROUNDWORK_METRICS_TIMEOUT_MS,
      defaultMetrics: true,
      onCollectorError: (collector, error) =>
        logger.warn({ collector, err: error }, `metrics: collector ${collector} failed`),
    },
    [
      // Probes get less than the collector's time: a probe that hangs reads as a dependency down, not as a
      // failed collector.
      readinessCollector(
        probes,
        Math.min(config.GROUNDWORK_HEALTH_TIMEOUT_MS, Math.floor(config.GROUNDWORK_METRICS_TIMEOUT_MS * 0.8)),
      ),
      jobsCollector(database, () => jobsRegistry.queues.keys()),
      outboxCollector(database),
      notificationsCollector(database),
      poolCollector(database),
    ],
  );
}

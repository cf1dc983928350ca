// Ports for readiness: each probe asks one dependency a trivial question over the connection Directus uses.
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { RedisTarget } from '../shared/env.js';
import type { Probe } from './core/readiness.js';

export function postgresProbe(database: Knex): Probe {
  return {
    name: 'postgres',
    async check() {
      await database.raw('select 1');
    },
  };
}

/**
 * One long-lived client per instance: probes stay cheap under frequent load-balancer polling. With the offline
 * queue off, a ping while disconnected fails at once instead of waiting for a reconnect.
 */
export function redisProbe(target: RedisTarget, timeoutMs: number): Probe & { close(): void } {
  const probeOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  };
  const client =
    'url' in target ? new Redis(target.url, probeOptions) : new Redis({ ...target.options, ...probeOptions });
  // Errors surface through failed pings; without a listener ioredis would log every reconnect attempt as unhandled.
  client.on('error', () => undefined);
  return {
    name: 'redis',
    async check() {
      if (client.status === 'wait') await client.connect();
      await client.ping();
    },
    close() {
      client.disconnect();
    },
  };
}

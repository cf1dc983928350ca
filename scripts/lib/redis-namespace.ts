// Runs that share one Redis server (tests side by side, benches, earlier runs) each keep their keys under a prefix of
// their own, and remove them at the end: some (synchronization, locks) have no expiry.
import { Redis } from 'ioredis';

/** Directus's Redis stores (bus, locks, counters, permissions, synchronization, cache) under `prefix`. */
export function redisNamespaceEnv(prefix: string): Record<string, string> {
  return {
    REDIS_BUS_NAMESPACE: `${prefix}:bus`,
    REDIS_LOCK_NAMESPACE: `${prefix}:lock`,
    REDIS_COUNTERS_NAMESPACE: `${prefix}:counters`,
    REDIS_PERMISSIONS_NAMESPACE: `${prefix}:permissions`,
    SYNCHRONIZATION_NAMESPACE: `${prefix}:sync`,
    CACHE_NAMESPACE: `${prefix}:cache`,
  };
}

/** Deletes every key under `prefix`, including Keyv's (the cache's) `sets:namespace:<CACHE_NAMESPACE>:` entries. */
export async function dropRedisNamespace(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of [`${prefix}:*`, `sets:namespace:${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

// Directus 11.17.4 keeps its permission lookups in a two-level cache (process memory, 100 keys, then Redis). On a
// local miss while Redis is down, the Redis read fails and the request answers 500: every non-admin request whose
// policies or permissions were not in this process's memory failed during an outage (measured in
// extensions/service-desk/tests/realtime-instances.test.ts; admins skip the lookups, which is why the earlier
// resilience test, as admin, did not see it). A cache that cannot be read is a miss: Directus then computes the
// permissions from the database, as it does on any miss (decision 0051).

export type CacheRead = (key: string) => Promise<unknown>;

/** `read`, answering "not cached" (undefined) instead of failing when `isOutage` says the error is Redis being down. */
export function missOnOutage(
  read: CacheRead,
  isOutage: (error: unknown) => boolean,
  onOutage: (error: unknown) => void,
): CacheRead {
  return async (key) => {
    try {
      return await read(key);
    } catch (error) {
      if (!isOutage(error)) throw error;
      onOutage(error);
      return undefined;
    }
  };
}

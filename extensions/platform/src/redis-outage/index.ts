// Keeps permission checks working while Redis is down (core/read-through.ts says why). Directus's permission cache
// is a module singleton of @directus/api, reached through loadDirectusModule (the module Directus itself loaded),
// so its cache object is the one patched. Only `get` changes; when the module is not where 11.17.4 has it, a warning
// says so and nothing is patched.
import type { HookExtensionContext } from '@directus/types';
import { isRedisOutageError } from '../bad-input/core/stray-rejection.js';
import { loadDirectusModule } from '../shared/directus-internals.js';
import { missOnOutage, type CacheRead } from './core/read-through.js';

const PERMISSION_CACHE = 'permissions/cache';

export async function readPermissionsThroughOutage(logger: HookExtensionContext['logger']): Promise<boolean> {
  try {
    const module = (await loadDirectusModule(PERMISSION_CACHE)) as {
      useCache?: () => { get: CacheRead };
    };
    const cache = module.useCache?.();
    if (!cache || typeof cache.get !== 'function') throw new Error('no useCache().get');
    let warned = 0;
    cache.get = missOnOutage(cache.get.bind(cache), isRedisOutageError, () => {
      // Once per 1000 misses: an outage under load would otherwise log every request.
      if (warned++ % 1000 === 0) logger.warn('Redis is down: permissions are read from the database until it is back');
    });
    return true;
  } catch (error) {
    logger.warn(
      { err: error },
      `permission cache not patched (@directus/api/${PERMISSION_CACHE}): Redis outages fail non-admin requests`,
    );
    return false;
  }
}

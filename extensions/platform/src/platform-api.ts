// The platform API other bundles use. Directus loads each bundle as its own module graph, so extensions/service-desk
// cannot import our module state; it reads this object from globalThis instead (lazily: inside a hook's callback or
// init, not at module top level, so load order does not matter).
import { onEvent, publishEvent } from './events/index.js';
import { defineQueue, defineSchedule, enqueue, singletonKey } from './jobs/index.js';

export const PLATFORM_API_KEY = Symbol.for('groundwork.platform');

export const platformApi = {
  jobs: { defineQueue, enqueue, defineSchedule, singletonKey },
  events: { publishEvent, onEvent },
};

export type GroundworkPlatform = typeof platformApi;

export function exposePlatformApi(): void {
  (globalThis as Record<symbol, unknown>)[PLATFORM_API_KEY] = platformApi;
}

// The platform's jobs and events API, reached across bundles through globalThis (extensions/platform/src/
// platform-api.ts). Read lazily, inside init or a callback, so bundle load order does not matter. Only the types
// are imported from the platform's sources: they vanish at build, so the two bundles share no module state.
import type { GroundworkPlatform } from '../../platform/src/platform-api.js';

export type { DomainEvent } from '../../platform/src/events/index.js';
export type PlatformApi = GroundworkPlatform;

export function platform(): PlatformApi {
  const api = (globalThis as Record<symbol, unknown>)[Symbol.for('groundwork.platform')] as PlatformApi | undefined;
  if (!api) throw new Error('the platform extension (jobs, events) is not loaded');
  return api;
}

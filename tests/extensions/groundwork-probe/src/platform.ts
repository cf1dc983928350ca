// The platform's jobs and events API, reached as every other bundle reaches it: through globalThis
// (extensions/platform/src/platform-api.ts). Only types come from the platform's sources; they vanish at build.
import type { GroundworkPlatform } from '../../../../extensions/platform/src/platform-api.js';

export function platform(): GroundworkPlatform {
  const api = (globalThis as Record<symbol, unknown>)[Symbol.for('groundwork.platform')] as
    | GroundworkPlatform
    | undefined;
  if (!api) throw new Error('the platform extension (jobs, events) is not loaded');
  return api;
}

// The platform's jobs and events API, reached across bundles through globalThis (extensions/platform/src/
// platform-api.ts). Read lazily, inside init or a callback, so bundle load order does not matter.
import type { Knex } from 'knex';

export interface DomainEvent {
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface PlatformApi {
  jobs: {
    defineQueue<T>(
      name: string,
      handler: (job: { id: string; queue: string; data: T; attempt: number }) => Promise<void>,
      options?: { retryLimit?: number; retryDelaySeconds?: number; retryBackoff?: boolean; expireInSeconds?: number },
    ): void;
    defineSchedule(queue: string, cron: string, data?: object): void;
  };
  events: { publishEvent(db: Knex | Knex.Transaction, event: DomainEvent): Promise<string> };
}

export function platform(): PlatformApi {
  const api = (globalThis as Record<symbol, unknown>)[Symbol.for('groundwork.platform')] as PlatformApi | undefined;
  if (!api) throw new Error('the platform extension (jobs, events) is not loaded');
  return api;
}

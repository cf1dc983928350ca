// Adapter for core/burst.ts: after a failed/throttled login or a denial is recorded, counts its kind over the
// window and, above the threshold, notifies every active admin once per window and kind (in-app and email, through
// the notifications outbox: notifications/direct.ts). Decision 0019 says why this is not a notification rule.
import type { Knex } from 'knex';
import { notifyDirectly } from '../notifications/direct.js';
import { burstAlert, burstKind, burstWindowStart, isBurst, type BurstPolicy } from './core/burst.js';
import type { SecurityEvent } from './core/events.js';
import type { SecurityStore } from './store.js';

type Logger = { info(object: object, message: string): void };

export function createBurstAlerts(deps: {
  database: Knex;
  store: () => SecurityStore;
  policy: BurstPolicy;
  logger: Logger;
  now?: () => number;
}) {
  const { database, policy, logger } = deps;
  const now = deps.now ?? Date.now;
  // Windows this process has already alerted for: no more counting until the next one. The outbox key is what
  // makes it once across instances.
  const alerted = new Set<string>();

  return async function observe(event: SecurityEvent): Promise<void> {
    const kind = burstKind(event);
    if (!kind) return;
    const windowStart = burstWindowStart(now(), policy);
    const seen = `${kind}:${windowStart}`;
    if (alerted.has(seen)) return;
    const count = await deps.store().countRecent(kind, policy.windowMs);
    if (!isBurst(count, policy)) return;
    alerted.add(seen);
    for (const old of alerted) if (!old.endsWith(`:${windowStart}`)) alerted.delete(old);
    const alert = burstAlert(kind, count, policy, windowStart);
    const recipients = await deps.store().activeAdmins();
    const created = await notifyDirectly(database, { ...alert, eventType: `security.burst.${kind}`, recipients });
    if (created > 0) logger.info({ kind, count, recipients: recipients.length }, 'security: burst alert raised');
  };
}

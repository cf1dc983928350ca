// Queue names, dead-letter names and singleton keys. Pure.

/** pg-boss accepts letters, digits, `_`, `.`, `-` and `/`; we also cap the length so names fit in logs and keys. */
const QUEUE_NAME = /^[a-z0-9][a-z0-9_.\-/]{0,99}$/i;

/** Dead-letter queues get this suffix; no queue of our own may end with it. */
export const DEAD_LETTER_SUFFIX = '.dead';

/** The pg-boss schema. Directus reads `public` only, so job tables never show up as collections or in snapshots. */
export const BOSS_SCHEMA = 'pgboss';

/**
 * pg-boss's own queues (its cron timekeeper's `__pgboss__send-it`) start with this; staff never see them. Ours cannot
 * (a queue name starts with a letter or digit).
 */
export const INTERNAL_QUEUE_PREFIX = '__pgboss__';

export function isInternalQueue(name: string): boolean {
  return name.startsWith(INTERNAL_QUEUE_PREFIX);
}

export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw new Error(
      `Queue name "${name}" must be 1-100 letters, digits, "_", ".", "-" or "/", starting with a letter or digit`,
    );
  }
  if (name.endsWith(DEAD_LETTER_SUFFIX))
    throw new Error(`Queue name "${name}" must not end with "${DEAD_LETTER_SUFFIX}"`);
}

export function deadLetterQueue(queue: string): string {
  return `${queue}${DEAD_LETTER_SUFFIX}`;
}

export function isDeadLetterQueue(name: string): boolean {
  return name.endsWith(DEAD_LETTER_SUFFIX);
}

export function sourceOfDeadLetterQueue(name: string): string | null {
  return isDeadLetterQueue(name) ? name.slice(0, -DEAD_LETTER_SUFFIX.length) : null;
}

/**
 * A singleton key from its parts, e.g. `singletonKey('ticket', id, 'created')` → `ticket:<id>:created`.
 * Parts are escaped so `('a:b', 'c')` and `('a', 'b:c')` give different keys.
 */
export function singletonKey(...parts: Array<string | number>): string {
  if (parts.length === 0) throw new Error('singletonKey needs at least one part');
  return parts.map((part) => String(part).replaceAll('\\', '\\\\').replaceAll(':', '\\:')).join(':');
}

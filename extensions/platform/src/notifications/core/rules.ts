// Rules as data: which events a rule reacts to (a type pattern) and under which condition (a small filter over the
// event's data and the item it is about). Pure: the adapter loads rows from `notification_rules`.

export const CHANNELS = ['email', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Who receives a notification; see audience.ts. One key per spec:
 * - `{ field: 'ticket.requester' }`: the user id at a path of the item (requester, assignee, reviewer);
 * - `{ role: '<role id>' }`: every active user of a role;
 * - `{ <group>: '<path>' }`: every active member of a group a domain registered (decision 0028), keyed by the value
 *   at a path of the item; the service desk registers `organization`, so `{ organization: 'ticket.organization' }`
 *   is everyone of the ticket's organization. The platform knows no domain column.
 */
export type AudienceSpec = Record<string, string>;

export interface NotificationRule {
  id: string;
  /** Event type, or a pattern where `*` stands for one dot-separated segment and a final `**` for the rest. */
  event: string;
  condition: Condition | null;
  audience: AudienceSpec[];
  channels: Channel[];
  template: string | null;
  /** Emails of this rule always go to the recipients' daily digest (e.g. the managers' digest). */
  digest: boolean;
  /**
   * At most this many notifications of this rule per recipient and channel per hour are delivered at once (see
   * applyBurstLimit); null or absent: DEFAULT_BURST_LIMIT; 0: no limit.
   */
  burst_limit?: number | null;
  /** Leave out the user who caused the event (someone replying does not need their own reply by email). */
  exclude_actor: boolean;
  enabled: boolean;
}

/** `{ "data.internal": false, "item.reviewer": { "_null": true }, "data.to": { "_in": ["open", "new"] } }` */
export type Condition = Record<string, unknown>;

export interface DomainEventLike {
  id: string;
  type: string;
  collection: string;
  item: string;
  actor: string | null;
  data: Record<string, unknown>;
  occurredAt?: string;
}

export function matchesEventType(pattern: string, type: string): boolean {
  const want = pattern.split('.');
  const got = type.split('.');
  for (let index = 0; index < want.length; index++) {
    const part = want[index];
    if (part === '**' && index === want.length - 1) return got.length >= index;
    if (index >= got.length) return false;
    if (part !== '*' && part !== got[index]) return false;
  }
  return want.length === got.length;
}

/** The value at a dotted path (`item.ticket.requester`); undefined when any step is missing. */
export function valueAt(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A related row read with nested fields arrives as an object; a bare foreign key as a string or number. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'id' in value) return idOf((value as { id: unknown }).id);
  return null;
}

const same = (a: unknown, b: unknown) => {
  const left = idOf(a) ?? a ?? null;
  const right = idOf(b) ?? b ?? null;
  return left === right;
};

function matchesOne(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return same(actual, expected);
  const operators = expected as Record<string, unknown>;
  return Object.entries(operators).every(([operator, operand]) => {
    switch (operator) {
      case '_eq':
        return same(actual, operand);
      case '_neq':
        return !same(actual, operand);
      case '_in':
        return Array.isArray(operand) && operand.some((candidate) => same(actual, candidate));
      case '_nin':
        return Array.isArray(operand) && !operand.some((candidate) => same(actual, candidate));
      case '_null':
        return (actual === null || actual === undefined) === Boolean(operand);
      default:
        // An unknown operator never matches: a typo in a rule must not widen its audience.
        return false;
    }
  });
}

/** Every entry must hold. Paths start at `data.` (the event's data), `item.` (the item) or `event.`. */
export function matchesCondition(condition: Condition | null, facts: Record<string, unknown>): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([path, expected]) => matchesOne(valueAt(facts, path), expected));
}

export function rulesForEvent(rules: NotificationRule[], type: string): NotificationRule[] {
  return rules.filter((rule) => rule.enabled && matchesEventType(rule.event, type));
}

// The notification outbox: one row per (event, rule, recipient, channel), then one delivery job per row that is
// due now. Pure decisions: what rows an event makes, and what a delivery attempt may do given the row's state.
import {
  audienceNeeds,
  mergeNeeds,
  resolveAudience,
  type AudienceNeeds,
  type GroupMembers,
  type Person,
} from './audience.js';
import { deliveryFor, preferenceFor, type Preference } from './preferences.js';
import { matchesCondition, rulesForEvent, type Channel, type DomainEventLike, type NotificationRule } from './rules.js';

/**
 * The idempotency key of a notification: fan-out may run more than once for an event (events are delivered at
 * least once), and the outbox's unique index on this key makes every run after the first insert nothing.
 */
export function notificationKey(eventId: string, ruleId: string, recipient: string, channel: Channel): string {
  return `${eventId}:${ruleId}:${recipient}:${channel}`;
}

/** pending: a job will deliver it; held: waits for the daily digest; skipped: the recipient turned it off. */
export type PlannedStatus = 'pending' | 'held' | 'skipped';

export interface PlannedNotification {
  key: string;
  rule: string;
  template: string;
  recipient: Person;
  channel: Channel;
  status: PlannedStatus;
  /** Why the row is not delivered at once when a limit, not the recipient, decided it (kept on the outbox row). */
  note?: string;
}

/** Notifications of one rule to one recipient on one channel delivered at once within BURST_WINDOW_MS. */
export const DEFAULT_BURST_LIMIT = 10;
export const BURST_WINDOW_MS = 60 * 60 * 1000;

export const burstKey = (rule: string, recipient: string, channel: Channel) => `${rule}:${recipient}:${channel}`;

/**
 * One rule firing many times (an SLA scan over a backlog, a bulk change) must not flood anyone (issue 11). Past the
 * rule's burst limit within the window, emails wait for the recipient's daily digest (nothing is lost) and in-app
 * notifications are skipped: a live channel gains nothing from the hundredth alert of one kind within an hour.
 * `recent`: rows of each burstKey delivered or being delivered within the window (the outbox, by the database's
 * clock); the event's own rows count as they are planned. Concurrent fan-outs may each pass the last free place, so
 * the limit is approximate by the number of workers.
 */
export function applyBurstLimit(
  planned: PlannedNotification[],
  rules: NotificationRule[],
  recent: Map<string, number>,
): PlannedNotification[] {
  const limits = new Map(rules.map((rule) => [rule.id, rule.burst_limit ?? DEFAULT_BURST_LIMIT]));
  const counts = new Map(recent);
  return planned.map((row) => {
    const limit = limits.get(row.rule) ?? DEFAULT_BURST_LIMIT;
    if (row.status !== 'pending' || limit <= 0) return row;
    const key = burstKey(row.rule, row.recipient.id, row.channel);
    const count = counts.get(key) ?? 0;
    if (count < limit) {
      counts.set(key, count + 1);
      return row;
    }
    const note = `over the rule's burst limit of ${limit} an hour`;
    return { ...row, status: row.channel === 'email' ? 'held' : 'skipped', note };
  });
}

/** What the adapter must load for the rules that match an event (users by id, roles, members of groups). */
export function fanOutNeeds(rules: NotificationRule[], event: DomainEventLike, item: unknown): AudienceNeeds {
  const needs: AudienceNeeds = { users: [], roles: [], groups: {} };
  for (const rule of matchingRules(rules, event, item)) mergeNeeds(needs, audienceNeeds(rule.audience, item));
  return needs;
}

export function matchingRules(rules: NotificationRule[], event: DomainEventLike, item: unknown): NotificationRule[] {
  const facts = { event, data: event.data, item };
  return rulesForEvent(rules, event.type).filter(
    (rule) => rule.template !== null && matchesCondition(rule.condition, facts),
  );
}

export function planFanOut(input: {
  event: DomainEventLike;
  rules: NotificationRule[];
  item: unknown;
  people: Person[];
  /** Members of the domain groups the rules name (see audience.ts); none when no rule names a group. */
  members?: GroupMembers;
  preferences: Preference[];
}): PlannedNotification[] {
  const { event, item, people, preferences } = input;
  const directory = { people, members: input.members ?? {} };
  const planned: PlannedNotification[] = [];
  for (const rule of matchingRules(input.rules, event, item)) {
    const recipients = resolveAudience(rule.audience, item, directory, {
      actor: event.actor,
      excludeActor: rule.exclude_actor,
    });
    for (const recipient of recipients) {
      const preference = preferenceFor(preferences, recipient.id, event.type);
      for (const channel of rule.channels) {
        if (channel === 'email' && !recipient.email) continue;
        const delivery = deliveryFor(preference, channel, { ruleDigest: rule.digest });
        planned.push({
          key: notificationKey(event.id, rule.id, recipient.id, channel),
          rule: rule.id,
          template: rule.template!,
          recipient,
          channel,
          status: delivery === 'off' ? 'skipped' : delivery === 'digest' ? 'held' : 'pending',
        });
      }
    }
  }
  return planned;
}

export type OutboxStatus = 'pending' | 'held' | 'sending' | 'sent' | 'digested' | 'skipped' | 'failed';

export interface AttemptState {
  status: OutboxStatus;
  /** When the last attempt claimed the row (status `sending`), in ms since the epoch. */
  lastAttemptAt: number | null;
}

export type AttemptDecision =
  | { kind: 'send'; resend: boolean }
  | { kind: 'done'; reason: 'already sent' | 'in a digest' | 'skipped' | 'failed' | 'held for digest' }
  | { kind: 'busy' };

/**
 * What a delivery attempt may do. The row is claimed (`sending`, committed) BEFORE the message leaves and marked
 * `sent` right after, so a retry or a re-run job that finds `sent` sends nothing. A row still `sending` after the
 * lease means an attempt died between the claim and the result: the message may or may not have left (the SMTP
 * window), so it is sent again, once, with the same Message-ID. Within the lease another worker may be sending it.
 */
export function decideAttempt(state: AttemptState, now: number, leaseMs: number): AttemptDecision {
  switch (state.status) {
    case 'pending':
      return { kind: 'send', resend: false };
    case 'sending':
      if (state.lastAttemptAt !== null && now - state.lastAttemptAt < leaseMs) return { kind: 'busy' };
      return { kind: 'send', resend: true };
    case 'sent':
      return { kind: 'done', reason: 'already sent' };
    case 'digested':
      return { kind: 'done', reason: 'in a digest' };
    case 'skipped':
      return { kind: 'done', reason: 'skipped' };
    case 'failed':
      return { kind: 'done', reason: 'failed' };
    case 'held':
      return { kind: 'done', reason: 'held for digest' };
  }
}

/** SMTP 5xx answers are permanent (no such mailbox, policy): retrying cannot help. */
export function isPermanentMailError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** The digest key: one digest per recipient per digest run, so a retried digest job makes no second one. */
export function digestKey(runId: string, recipient: string): string {
  return `digest:${runId}:${recipient}`;
}

export interface HeldNotification {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  event_type: string;
  date_created: string;
}

/** Held notifications grouped by recipient, oldest first within each group. */
export function groupForDigest(rows: HeldNotification[]): Map<string, HeldNotification[]> {
  const groups = new Map<string, HeldNotification[]>();
  const sorted = [...rows].sort((a, b) => a.date_created.localeCompare(b.date_created) || a.id.localeCompare(b.id));
  for (const row of sorted) {
    const group = groups.get(row.recipient) ?? [];
    group.push(row);
    groups.set(row.recipient, group);
  }
  return groups;
}

// Knex I/O of the notifications capability: rules, templates, people and preferences in; outbox rows out. Every
// function takes the knex (or transaction) to run on, so callers decide the transaction.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { AudienceNeeds, GroupMembers, Person } from './core/audience.js';
import { burstKey, type OutboxStatus, type PlannedNotification } from './core/outbox.js';
import type { Preference } from './core/preferences.js';
import type { Template } from './core/render.js';
import { CHANNELS, type Channel, type NotificationRule } from './core/rules.js';

export const OUTBOX = 'notification_outbox';
export const RULES = 'notification_rules';
export const TEMPLATES = 'notification_templates';
export const PREFERENCES = 'notification_preferences';

const asJson = <T>(value: unknown, fallback: T): T => {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  }
  return value as T;
};

export async function loadRules(db: Knex): Promise<NotificationRule[]> {
  const rows = await db(RULES).where({ enabled: true }).select();
  return rows.map((row) => ({
    id: String(row.id),
    event: String(row.event),
    condition: asJson<Record<string, unknown> | null>(row.condition, null),
    audience: asJson(row.audience, []),
    channels: asJson<string[]>(row.channels, []).filter((channel): channel is Channel =>
      (CHANNELS as readonly string[]).includes(channel),
    ),
    template: row.template === null ? null : String(row.template),
    digest: Boolean(row.digest),
    burst_limit: typeof row.burst_limit === 'number' ? row.burst_limit : null,
    exclude_actor: Boolean(row.exclude_actor),
    enabled: Boolean(row.enabled),
  }));
}

export async function loadTemplates(db: Knex, keys: string[]): Promise<Map<string, Template>> {
  if (keys.length === 0) return new Map();
  const rows = await db(TEMPLATES).whereIn('key', keys).select('key', 'subject', 'body');
  return new Map(
    rows.map((row) => [String(row.key), { key: String(row.key), subject: row.subject ?? '', body: row.body ?? '' }]),
  );
}

const PERSON_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'role', 'status'];

/** The people the needs name: by id, by role, and the members the domain groups resolved to. */
export async function loadPeople(db: Knex, needs: AudienceNeeds, members: GroupMembers): Promise<Person[]> {
  const ids = new Set(needs.users);
  for (const byValue of Object.values(members))
    for (const users of Object.values(byValue)) users.forEach((id) => ids.add(id));
  if (ids.size + needs.roles.length === 0) return [];
  const rows = await db('directus_users')
    .select(PERSON_COLUMNS)
    .where((query) => {
      if (ids.size) query.orWhereIn('id', [...ids]);
      if (needs.roles.length) query.orWhereIn('role', needs.roles);
    })
    .orderBy('id');
  return rows as Person[];
}

export async function loadPreferences(db: Knex, users: string[]): Promise<Preference[]> {
  if (users.length === 0) return [];
  const rows = await db(PREFERENCES).whereIn('user', users).select('user', 'event', 'email', 'in_app', 'digest');
  return rows.map((row) => ({
    user: String(row.user),
    event: String(row.event),
    email: row.email !== false,
    in_app: row.in_app !== false,
    digest: row.digest === true,
  }));
}

/**
 * Rows per burstKey (rule, recipient, channel) delivered or being delivered in the last `windowMs`, by the
 * database's clock, for the rules and recipients of one fan-out (index notification_outbox_burst, version 0005).
 */
export async function recentDeliveries(
  db: Knex,
  planned: Array<{ rule: string; recipient: { id: string } }>,
  windowMs: number,
): Promise<Map<string, number>> {
  if (planned.length === 0) return new Map();
  const rows = await db(OUTBOX)
    .select('rule', 'recipient', 'channel')
    .count({ count: '*' })
    .whereIn('rule', [...new Set(planned.map((row) => row.rule))])
    .whereIn('recipient', [...new Set(planned.map((row) => row.recipient.id))])
    .whereIn('status', ['pending', 'sending', 'sent', 'failed'])
    .andWhere('date_created', '>', db.raw(`now() - make_interval(secs => ?)`, [windowMs / 1000]))
    .groupBy('rule', 'recipient', 'channel');
  return new Map(
    (rows as Array<{ rule: string; recipient: string; channel: Channel; count: string | number }>).map((row) => [
      burstKey(row.rule, row.recipient, row.channel),
      Number(row.count),
    ]),
  );
}

export interface OutboxInsert {
  planned: PlannedNotification;
  subject: string;
  body: string;
  error: string | null;
}

/** Inserts the rows whose key is new; returns the inserted ones (a re-run of the same event inserts nothing). */
export async function insertNotifications(
  trx: Knex.Transaction,
  event: { id: string; type: string; collection: string; item: string },
  rows: OutboxInsert[],
): Promise<Array<{ id: string; status: OutboxStatus }>> {
  if (rows.length === 0) return [];
  const values = rows.map(({ planned, subject, body, error }) => ({
    id: randomUUID(),
    key: planned.key,
    event_id: event.id,
    event_type: event.type,
    collection: event.collection,
    item: event.item,
    rule: planned.rule,
    template: planned.template,
    recipient: planned.recipient.id,
    channel: planned.channel,
    status: error ? 'failed' : planned.status,
    subject,
    body,
    attempts: 0,
    last_error: error ?? planned.note ?? null,
  }));
  return trx(OUTBOX).insert(values).onConflict('key').ignore().returning(['id', 'status']);
}

export interface OutboxRow {
  id: string;
  key: string;
  channel: Channel;
  status: OutboxStatus;
  recipient: string | null;
  subject: string;
  body: string;
  collection: string | null;
  item: string | null;
  attempts: number;
  /** How long ago the last attempt claimed the row, by the database's clock. */
  age_ms: number | null;
}

export async function lockNotification(trx: Knex.Transaction, id: string): Promise<OutboxRow | undefined> {
  const result = await trx.raw<{ rows: OutboxRow[] }>(
    `select id, key, channel, status, recipient, subject, body, collection, item, attempts,
            (extract(epoch from (now() - last_attempt_at)) * 1000)::float8 as age_ms
       from ${OUTBOX} where id = ? for update`,
    [id],
  );
  return result.rows[0];
}

export async function markNotification(
  db: Knex,
  id: string,
  values: Partial<{ status: OutboxStatus; last_error: string | null; sent_at: unknown; message_id: string }>,
): Promise<void> {
  await db(OUTBOX).where({ id }).update(values);
}

// The security capability's I/O: its tables in the `groundwork` schema (installed at boot like the jobs tables:
// never Directus collections, so no snapshot change and no admin-app access), the throttle rows and the events.
import type { Knex } from 'knex';
import { activeAdminIds } from '../shared/admins.js';
import { installUnderLock } from '../shared/install.js';
import { BURST_EVENTS, type BurstKind } from './core/burst.js';
import type { SecurityEventsFilter } from './core/contract.js';
import type { SecurityEvent } from './core/events.js';
import { admit, type Admission, type ThrottlePolicy, type ThrottleState } from './core/throttle.js';

export type { SecurityEvent } from './core/events.js';

export const installStatements: string[] = [
  'CREATE SCHEMA IF NOT EXISTS groundwork',
  // One row per throttle key (a hash: no address or IP in clear); a success deletes it.
  `CREATE TABLE IF NOT EXISTS groundwork.login_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    blocked_until timestamptz
  )`,
  // What happened, to whom, from where: no passwords, tokens or addresses (account_key is accountKey's hash).
  `CREATE TABLE IF NOT EXISTS groundwork.security_events (
    id bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    type text NOT NULL,
    outcome text NOT NULL,
    user_id uuid,
    account_key text,
    ip text,
    request_id text,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
  )`,
  'CREATE INDEX IF NOT EXISTS security_events_occurred_at ON groundwork.security_events (occurred_at)',
  'CREATE INDEX IF NOT EXISTS security_events_type ON groundwork.security_events (type, occurred_at)',
  // Who did it (issue 10, story 13); added to tables made before the column existed.
  'ALTER TABLE groundwork.security_events ADD COLUMN IF NOT EXISTS actor_id uuid',
  'CREATE INDEX IF NOT EXISTS security_events_user ON groundwork.security_events (user_id)',
  'CREATE INDEX IF NOT EXISTS security_events_actor ON groundwork.security_events (actor_id)',
];

export async function installSecurityTables(database: Knex): Promise<void> {
  await installUnderLock(database, installStatements);
}

export interface KeyPolicy {
  key: string;
  policy: ThrottlePolicy;
}

type Row = { key: string; failures: number; last_failure_at: Date; blocked_until: Date | null };

const toState = (row: Row): ThrottleState => ({
  failures: row.failures,
  lastFailureAt: row.last_failure_at.getTime(),
  blockedUntil: row.blocked_until?.getTime() ?? 0,
});

export type SecurityEventRow = {
  id: string;
  occurred_at: Date;
  type: string;
  outcome: string;
  actor_id: string | null;
  user_id: string | null;
  account_key: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
};

const EVENT_COLUMNS = [
  'id',
  'occurred_at',
  'type',
  'outcome',
  'actor_id',
  'user_id',
  'account_key',
  'ip',
  'request_id',
  'detail',
];

export interface SecurityStoreOptions {
  /** Runs after each event is written (the burst alerts); its failure is the record's failure. */
  afterRecord?: (event: SecurityEvent) => Promise<void>;
}

export function securityStore(database: Knex, clock: () => number = Date.now, options: SecurityStoreOptions = {}) {
  return {
    /**
     * Counts one attempt on every key, or refuses it when any key is in its backoff (then counts nothing). Row
     * locks (keys in a fixed order, so two attempts cannot deadlock) make parallel attempts take their turn.
     * Returns the longest wait when refused.
     */
    async attempt(keys: KeyPolicy[]): Promise<{ admitted: true } | { admitted: false; retryAfterMs: number }> {
      const sorted = [...keys].sort((a, b) => a.key.localeCompare(b.key));
      return database.transaction(async (trx) => {
        const now = clock();
        const decisions: Array<{ key: string; admission: Admission }> = [];
        for (const { key, policy } of sorted) {
          // One statement makes or locks the row and returns it. An insert-if-missing followed by a SELECT … FOR
          // UPDATE found nothing when a parallel successful login (reset) deleted the row in between: a 500 on login
          // (seen when several accounts logged in at once from one address, which shares the address key).
          const { rows } = (await trx.raw(
            `INSERT INTO groundwork.login_throttle (key, failures, last_failure_at) VALUES (?, 0, to_timestamp(0))
             ON CONFLICT (key) DO UPDATE SET key = excluded.key
             RETURNING *`,
            [key],
          )) as { rows: Row[] };
          const row = rows[0]!;
          const state = row.failures === 0 ? null : toState(row);
          decisions.push({ key, admission: admit(state, now, policy) });
        }
        const refused = decisions.flatMap(({ admission }) => (admission.admitted ? [] : [admission.retryAfterMs]));
        if (refused.length > 0) return { admitted: false as const, retryAfterMs: Math.max(...refused) };
        for (const { key, admission } of decisions) {
          if (!admission.admitted) continue;
          await trx('groundwork.login_throttle')
            .where({ key })
            .update({
              failures: admission.next.failures,
              last_failure_at: new Date(admission.next.lastFailureAt),
              blocked_until: admission.next.blockedUntil > 0 ? new Date(admission.next.blockedUntil) : null,
            });
        }
        return { admitted: true as const };
      });
    },

    /** A successful login: the keys start over. */
    async reset(keys: string[]): Promise<void> {
      await database('groundwork.login_throttle').whereIn('key', keys).delete();
    },

    /** Deletes keys nobody has failed on for `quietMs` and that are not in a backoff: they would start over anyway. */
    async prune(quietMs: number): Promise<number> {
      const result = (await database.raw(
        `DELETE FROM groundwork.login_throttle
         WHERE last_failure_at < now() - make_interval(secs => ?) AND (blocked_until IS NULL OR blocked_until < now())`,
        [quietMs / 1000],
      )) as { rowCount: number };
      return result.rowCount;
    },

    async record(event: SecurityEvent): Promise<void> {
      await database('groundwork.security_events').insert({
        type: event.type,
        outcome: event.outcome,
        actor_id: event.actorId ?? null,
        user_id: event.userId ?? null,
        account_key: event.accountKey ?? null,
        ip: event.ip ?? null,
        request_id: event.requestId ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      });
      if (options.afterRecord) await options.afterRecord(event);
    },

    /** Events newest first, filtered; `user` matches the subject or the actor. One more row tells if a page follows. */
    async list(filter: SecurityEventsFilter): Promise<{ rows: SecurityEventRow[]; nextCursor: string | null }> {
      const query = database('groundwork.security_events').select(EVENT_COLUMNS).orderBy('id', 'desc');
      if (filter.type) query.where('type', filter.type);
      if (filter.outcome) query.where('outcome', filter.outcome);
      if (filter.user) query.where((where) => where.where('user_id', filter.user).orWhere('actor_id', filter.user));
      if (filter.since) query.where('occurred_at', '>=', new Date(filter.since));
      if (filter.until) query.where('occurred_at', '<', new Date(filter.until));
      if (filter.cursor) query.where('id', '<', filter.cursor);
      const rows = (await query.limit(filter.limit + 1)) as SecurityEventRow[];
      const page = rows.slice(0, filter.limit);
      return { rows: page, nextCursor: rows.length > filter.limit ? String(page[page.length - 1]!.id) : null };
    },

    /** Every event about one user, oldest first (the personal-data export). */
    async about(user: string): Promise<SecurityEventRow[]> {
      return (await database('groundwork.security_events')
        .select(EVENT_COLUMNS)
        .where({ user_id: user })
        .orderBy('occurred_at')) as SecurityEventRow[];
    },

    /** How many events of a burst kind happened in the last `windowMs`, by the database's clock. */
    async countRecent(kind: BurstKind, windowMs: number): Promise<number> {
      const { type, outcomes } = BURST_EVENTS[kind];
      const query = database('groundwork.security_events')
        .where('type', type)
        .where('occurred_at', '>', database.raw('now() - make_interval(secs => ?)', [windowMs / 1000]));
      if (outcomes) query.whereIn('outcome', outcomes);
      const [{ count }] = (await query.count({ count: '*' })) as [{ count: string | number }];
      return Number(count);
    },

    /** Deletes events older than the retention. */
    async pruneEvents(retentionDays: number): Promise<number> {
      const result = (await database.raw(
        'DELETE FROM groundwork.security_events WHERE occurred_at < now() - make_interval(days => ?)',
        [retentionDays],
      )) as { rowCount: number };
      return result.rowCount;
    },

    /** Active users with admin access (through their role's or their own policies): who hears of a burst. */
    async activeAdmins(): Promise<string[]> {
      return activeAdminIds(database);
    },
  };
}

export type SecurityStore = ReturnType<typeof securityStore>;

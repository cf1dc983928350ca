// The security capability's I/O: its tables in the `groundwork` schema (installed at boot like the jobs tables:
// never Directus collections, so no snapshot change and no admin-app access), the throttle rows and the events.
import type { Knex } from 'knex';
import { admit, type Admission, type ThrottlePolicy, type ThrottleState } from './core/throttle.js';

const INSTALL_LOCK = "hashtextextended('groundwork.security.install', 0)";

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
];

export async function installSecurityTables(database: Knex): Promise<void> {
  await database.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${INSTALL_LOCK})`);
    for (const statement of installStatements) await trx.raw(statement);
  });
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

export interface SecurityEvent {
  type: string;
  outcome: string;
  userId?: string | null;
  accountKey?: string | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export function securityStore(database: Knex, clock: () => number = Date.now) {
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
          await trx.raw(
            `INSERT INTO groundwork.login_throttle (key, failures, last_failure_at) VALUES (?, 0, to_timestamp(0))
             ON CONFLICT (key) DO NOTHING`,
            [key],
          );
          const { rows } = (await trx.raw('SELECT * FROM groundwork.login_throttle WHERE key = ? FOR UPDATE', [
            key,
          ])) as { rows: Row[] };
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
        user_id: event.userId ?? null,
        account_key: event.accountKey ?? null,
        ip: event.ip ?? null,
        request_id: event.requestId ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      });
    },
  };
}

export type SecurityStore = ReturnType<typeof securityStore>;

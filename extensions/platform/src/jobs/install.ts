// Groundwork's own database objects for jobs and events, created idempotently at boot under an advisory lock
// (several instances may boot at once). Tables live in the `groundwork` schema: Directus reads `public` only, so
// they never become collections, never show up in snapshots and cannot be changed from the admin app. The two SQL
// functions (groundwork_enqueue here, groundwork_publish_event in events/install.ts) live in `public` so domain triggers can call them unqualified; Directus does not read functions.
import type { Knex } from 'knex';
import { eventsInstallStatements } from '../events/install.js';
import { installUnderLock } from '../shared/install.js';
import { BOSS_SCHEMA } from './core/names.js';

// pg-boss's NOTIFY channel for its schema (plans.notifyChannelSql): a NOTIFY here wakes the workers at once.
const notifyChannel = `('pgboss_' || left(encode(sha224('${BOSS_SCHEMA}'::bytea), 'hex'), 24))`;

export const installStatements: string[] = [
  'CREATE SCHEMA IF NOT EXISTS groundwork',
  // One job into pg-boss's job table, with the queue's retry, expiry, retention and dead-letter settings, in the
  // caller's transaction. The same insert pg-boss's send() makes (plans.insertJobs), written in SQL so triggers
  // can call it; the integration tests run it against the installed pg-boss. A singleton key allows one live job
  // (queued, retrying or active) per queue and key: the advisory lock serialises two transactions that enqueue the
  // same key, and the second sees the first's row once it commits.
  `CREATE OR REPLACE FUNCTION public.groundwork_enqueue(
    queue text, data jsonb, singleton_key text DEFAULT NULL, start_after_seconds integer DEFAULT 0
  ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
  #variable_conflict use_column
  DECLARE
    v_queue text := queue;
    v_data jsonb := data;
    v_key text := singleton_key;
    v_delay integer := greatest(coalesce(start_after_seconds, 0), 0);
    q ${BOSS_SCHEMA}.queue%ROWTYPE;
    v_start timestamptz;
    v_id uuid;
  BEGIN
    SELECT * INTO q FROM ${BOSS_SCHEMA}.queue WHERE name = v_queue;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'groundwork_enqueue: queue "%" does not exist', v_queue USING ERRCODE = 'undefined_object';
    END IF;
    IF v_key IS NOT NULL THEN
      PERFORM pg_advisory_xact_lock(hashtextextended('groundwork.enqueue:' || v_queue || ':' || v_key, 0));
      IF EXISTS (
        SELECT 1 FROM ${BOSS_SCHEMA}.job j
        WHERE j.name = v_queue AND j.singleton_key = v_key AND j.state < 'completed'
      ) THEN
        RETURN NULL;
      END IF;
    END IF;
    v_start := ${BOSS_SCHEMA}.job_now() + make_interval(secs => v_delay);
    INSERT INTO ${BOSS_SCHEMA}.job (
      name, data, start_after, created_on, singleton_key, expire_seconds, deletion_seconds, keep_until,
      retry_limit, retry_delay, retry_backoff, retry_delay_max, policy, dead_letter, heartbeat_seconds
    ) VALUES (
      v_queue, v_data, v_start, ${BOSS_SCHEMA}.job_now(), v_key, q.expire_seconds, q.deletion_seconds,
      v_start + q.retention_seconds * interval '1 second',
      q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max, q.policy, q.dead_letter, q.heartbeat_seconds
    )
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL AND q.notify AND v_delay = 0 THEN
      PERFORM pg_notify(${notifyChannel}, v_queue);
    END IF;
    RETURN v_id::text;
  END
  $fn$`,
  // The domain-events outbox (events/install.ts).
  ...eventsInstallStatements,
];

/** Runs every statement in one transaction, under the platform's install lock (shared/install.ts). */
export async function installDatabaseObjects(database: Knex): Promise<void> {
  await installUnderLock(database, installStatements);
}

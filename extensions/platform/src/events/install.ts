// The outbox's database objects, run by the jobs install (jobs/install.ts) in its transaction under its advisory
// lock, so every statement is idempotent. The outbox table is also the dispatch queue: attempts, next_attempt_at,
// locked_until (the lease of the instance dispatching it), last_error and dead_at say where each event stands.
import { BOSS_SCHEMA, deadLetterQueue } from '../jobs/core/names.js';
import { EVENTS_CHANNEL, EVENTS_QUEUE, EVENTS_SETTING } from './core/outbox.js';

const OPEN = 'dispatched_at IS NULL AND dead_at IS NULL';

export const eventsInstallStatements: string[] = [
  `CREATE TABLE IF NOT EXISTS groundwork.domain_event (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type text NOT NULL,
    collection text NOT NULL,
    item text NOT NULL,
    actor uuid,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
  )`,
  // Added to installs from before the dispatcher (0025). seq orders events per item: occurred_at is the
  // transaction's start, equal for every event of one transaction.
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS seq bigint GENERATED ALWAYS AS IDENTITY',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now()',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS claimed_at timestamptz',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS locked_until timestamptz',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS last_error jsonb',
  'ALTER TABLE groundwork.domain_event ADD COLUMN IF NOT EXISTS dead_at timestamptz',
  'CREATE INDEX IF NOT EXISTS domain_event_occurred_at ON groundwork.domain_event (occurred_at)',
  'CREATE INDEX IF NOT EXISTS domain_event_item ON groundwork.domain_event (collection, item)',
  // The dispatcher's two reads: due open events in order, and "is an earlier event of this item still open".
  `CREATE INDEX IF NOT EXISTS domain_event_due ON groundwork.domain_event (seq) WHERE ${OPEN}`,
  `CREATE INDEX IF NOT EXISTS domain_event_open_item ON groundwork.domain_event (collection, item, seq) WHERE ${OPEN}`,
  'CREATE INDEX IF NOT EXISTS domain_event_dispatched ON groundwork.domain_event (dispatched_at) WHERE dispatched_at IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS domain_event_dead ON groundwork.domain_event (dead_at) WHERE dead_at IS NOT NULL',
  // The outbox row, in the caller's transaction; the NOTIFY is delivered at commit (once per transaction: Postgres
  // folds equal notifications) and wakes the dispatchers. The signature is the one triggers call. With the events
  // setting off (EVENTS_SETTING) nothing is written and the answer is NULL.
  `CREATE OR REPLACE FUNCTION public.groundwork_publish_event(
    type text, collection text, item text, actor uuid, data jsonb
  ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
  #variable_conflict use_column
  DECLARE
    v_id uuid;
  BEGIN
    IF current_setting('${EVENTS_SETTING}', true) = 'off' THEN
      RETURN NULL;
    END IF;
    INSERT INTO groundwork.domain_event (type, collection, item, actor, data)
    VALUES ($1, $2, $3, $4, coalesce($5, '{}'::jsonb))
    RETURNING id INTO v_id;
    PERFORM pg_notify('${EVENTS_CHANNEL}', '');
    RETURN v_id::text;
  END
  $fn$`,
  // Upgrade from one pg-boss job per event (before 0025), once: while the old queue exists. Dead letters become
  // dead events (still retryable by an admin); an open event with no live job had its dead letter discarded or
  // expired, so it is dead too rather than delivered again; queued, retrying and running jobs are dropped, since
  // their events are open in the outbox and the dispatcher takes them (a job an old instance is running may then
  // deliver its event twice: at least once). Then the two queues go.
  `DO $upgrade$
  BEGIN
    IF to_regclass('${BOSS_SCHEMA}.queue') IS NULL
      OR NOT EXISTS (SELECT 1 FROM ${BOSS_SCHEMA}.queue WHERE name = '${EVENTS_QUEUE}') THEN
      RETURN;
    END IF;
    UPDATE groundwork.domain_event e
    SET dead_at = j.created_on,
        attempts = coalesce(j.source_retry_count, 0) + 1,
        last_error = coalesce(j.source_output, j.output)
    FROM ${BOSS_SCHEMA}.job j
    WHERE j.name = '${deadLetterQueue(EVENTS_QUEUE)}' AND j.state IN ('created', 'retry')
      AND e.id::text = j.data->>'eventId' AND e.${OPEN.replace(' AND ', ' AND e.')};
    UPDATE groundwork.domain_event e
    SET dead_at = now(),
        last_error = jsonb_build_object('name', 'Error', 'message',
          'no dispatch job at the upgrade to the outbox dispatcher (its dead letter was discarded or expired)')
    WHERE e.${OPEN.replace(' AND ', ' AND e.')}
      AND NOT EXISTS (
        SELECT 1 FROM ${BOSS_SCHEMA}.job j
        WHERE j.name = '${EVENTS_QUEUE}' AND j.state IN ('created', 'retry', 'active')
          AND j.data->>'eventId' = e.id::text
      );
    PERFORM ${BOSS_SCHEMA}.delete_queue('${EVENTS_QUEUE}');
    IF EXISTS (SELECT 1 FROM ${BOSS_SCHEMA}.queue WHERE name = '${deadLetterQueue(EVENTS_QUEUE)}') THEN
      PERFORM ${BOSS_SCHEMA}.delete_queue('${deadLetterQueue(EVENTS_QUEUE)}');
    END IF;
  END
  $upgrade$`,
];

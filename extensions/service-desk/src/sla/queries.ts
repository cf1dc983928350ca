// The SQL of the SLA jobs' scans, as knex builders: jobs.ts runs them, and the plan check
// (extensions/service-desk/tests/query-plans.test.ts) explains the very same statements, so an index they need
// cannot go missing unnoticed. No Directus imports: a knex (or transaction) is all they take.
import type { Knex } from 'knex';
import { AT_RISK_SHARE, CLOSED_STATES } from './core/breach.js';

export const AUTO_CLOSE_AFTER_DAYS = 7;
export const BATCH = 500;

/**
 * Tickets the SLA scan looks at, earliest resolution due first, locked (others skipped): a coarse pre-filter in SQL
 * (the at-risk threshold of the earliest due time that counts, paused tickets left out); the core decides.
 * `start`: creation pushed out by the completed pauses, as the due times are.
 */
export function slaScanQuery(trx: Knex | Knex.Transaction, now: Date) {
  const start = `(date_created + make_interval(secs => sla_paused_seconds))`;
  return trx('tickets')
    .select('id', 'number', 'status', 'date_created', 'first_response_due_at', 'resolution_due_at')
    .select('first_responded_at', 'sla_state', 'sla_paused_since', 'sla_paused_seconds')
    .whereNotIn('status', CLOSED_STATES)
    .whereNull('sla_paused_since')
    .andWhere((q) => q.whereNull('sla_state').orWhereNot('sla_state', 'breached'))
    .andWhereRaw(
      `least(
         case when first_responded_at is null
           then first_response_due_at - (first_response_due_at - ${start}) * ? end,
         resolution_due_at - (resolution_due_at - ${start}) * ?) <= ?`,
      [AT_RISK_SHARE, AT_RISK_SHARE, now],
    )
    .orderBy('resolution_due_at')
    .limit(BATCH)
    .forUpdate()
    .skipLocked();
}

/** How many historic breaches (core/breach.ts: isHistoricBreach) one statement marks; a run loops a few times. */
export const SILENT_BATCH = 5000;

/**
 * Ids of open, unpaused tickets not yet marked breached whose counting due time passed before `cutoff`, in the
 * order of the open-tickets index the scan also walks (so no sequential scan at 1M tickets). The SLA job marks them
 * breached in one statement, without events: set-based, so a backlog of 600k imported past-due tickets is cleared
 * in minutes and does not starve the live breaches behind it.
 */
export function historicBreachIdsQuery(trx: Knex | Knex.Transaction, cutoff: Date) {
  return trx('tickets')
    .select('id')
    .whereNotIn('status', CLOSED_STATES)
    .whereNull('sla_paused_since')
    .andWhere((q) => q.whereNull('sla_state').orWhereNot('sla_state', 'breached'))
    .andWhereRaw(`least(case when first_responded_at is null then first_response_due_at end, resolution_due_at) < ?`, [
      cutoff,
    ])
    .orderBy('resolution_due_at')
    .limit(SILENT_BATCH)
    .forUpdate()
    .skipLocked();
}

/**
 * Marks a batch of historic breaches (historicBreachIdsQuery) breached, without events. The ids are matched as an
 * array (`id = any(array(…))`), so each is looked up by primary key: as `id in (subquery)` the planner joined the
 * 5,000 ids to a full read of tickets (a hash semi join), seen in the plans the job ran with (decision 0072's bench).
 */
export function markHistoricBreachesQuery(trx: Knex | Knex.Transaction, cutoff: Date) {
  return trx('tickets')
    .whereRaw('id = any(array(?))', [historicBreachIdsQuery(trx, cutoff)])
    .update({ sla_state: 'breached' });
}

/** Ids of tickets solved more than AUTO_CLOSE_AFTER_DAYS ago, oldest first. */
export function autoCloseQuery(database: Knex) {
  return database('tickets')
    .pluck('id')
    .where('status', 'solved')
    .andWhere('solved_at', '<', database.raw(`now() - interval '${AUTO_CLOSE_AFTER_DAYS} days'`))
    .orderBy('solved_at')
    .limit(BATCH);
}

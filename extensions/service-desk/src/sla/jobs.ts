// Scheduled jobs of the service desk: the SLA scan marks tickets at risk or breached and publishes
// sla.tickets.warning / sla.tickets.breached in the same transaction; auto-close moves tickets solved more than
// 7 days ago to closed through the workflow (as the system: no accountability, `$system` in the definition).
import type { HookExtensionContext } from '@directus/types';
import { platform } from '../platform.js';
import { AT_RISK_SHARE, CLOSED_STATES, classify, escalation, type SlaTicket } from './core/breach.js';

export const SLA_SCAN_QUEUE = 'service-desk.sla-scan';
export const AUTO_CLOSE_QUEUE = 'service-desk.auto-close';
export const AUTO_CLOSE_AFTER_DAYS = 7;
const BATCH = 500;

type Logger = HookExtensionContext['logger'];

export function registerSlaJobs(context: HookExtensionContext, logger: Logger): void {
  const { jobs, events } = platform();
  const { database } = context;

  jobs.defineQueue(SLA_SCAN_QUEUE, async () => {
    const now = new Date();
    await database.transaction(async (trx) => {
      // Coarse pre-filter in SQL (the at-risk threshold of the earliest due time that counts, paused tickets left
      // out); the core decides. `start`: creation pushed out by the completed pauses, as the due times are.
      const start = `(date_created + make_interval(secs => sla_paused_seconds))`;
      const rows = (await trx('tickets')
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
        .skipLocked()) as (SlaTicket & { id: string; number: string })[];
      let published = 0;
      for (const ticket of rows) {
        const verdict = classify(ticket, now);
        if (!verdict) continue;
        const type = escalation(ticket.sla_state, verdict.state);
        if (!type && ticket.sla_state === verdict.state) continue;
        await trx('tickets').where('id', ticket.id).update({ sla_state: verdict.state });
        if (!type) continue;
        await events.publishEvent(trx, {
          type,
          collection: 'tickets',
          item: ticket.id,
          actor: null,
          data: { number: ticket.number, target: verdict.target, dueAt: verdict.dueAt.toISOString() },
        });
        published += 1;
      }
      if (published) logger.info({ published }, 'SLA events published');
    });
  });
  jobs.defineSchedule(SLA_SCAN_QUEUE, '* * * * *');

  jobs.defineQueue(AUTO_CLOSE_QUEUE, async () => {
    const ids = (await database('tickets')
      .pluck('id')
      .where('status', 'solved')
      .andWhere('solved_at', '<', database.raw(`now() - interval '${AUTO_CLOSE_AFTER_DAYS} days'`))
      .orderBy('solved_at')
      .limit(BATCH)) as string[];
    if (!ids.length) return;
    // No accountability on purpose: the system closes them, and the workflow checks the `$system` move per ticket.
    const tickets = new context.services.ItemsService('tickets', {
      schema: await context.getSchema(),
      accountability: null,
    });
    let closed = 0;
    for (const id of ids) {
      try {
        await tickets.updateOne(id, {
          status: 'closed',
          workflow_comment: 'Closed automatically 7 days after solving',
        });
        closed += 1;
      } catch (error) {
        // One refused ticket (e.g. reopened meanwhile) does not stop the others.
        logger.warn({ err: error, ticket: id }, 'auto-close refused');
      }
    }
    logger.info({ closed, of: ids.length }, 'solved tickets closed');
  });
  jobs.defineSchedule(AUTO_CLOSE_QUEUE, '*/10 * * * *');
}

// Scheduled jobs of the service desk: the SLA scan marks tickets at risk or breached and publishes
// sla.tickets.warning / sla.tickets.breached in the same transaction (historic breaches, long past due when first
// seen, are marked without an event: core/breach.ts); auto-close moves tickets solved more than
// 7 days ago to closed through the workflow (as the system: no accountability, `$system` in the definition).
import type { HookExtensionContext } from '@directus/types';
import { platform } from '../platform.js';
import { classify, escalation, isHistoricBreach, SILENT_BREACH_AFTER_MS, type SlaTicket } from './core/breach.js';
import {
  AUTO_CLOSE_AFTER_DAYS,
  autoCloseQuery,
  markHistoricBreachesQuery,
  SILENT_BATCH,
  slaScanQuery,
} from './queries.js';

export const SLA_SCAN_QUEUE = 'service-desk.sla-scan';
export const AUTO_CLOSE_QUEUE = 'service-desk.auto-close';
/** Statements of SILENT_BATCH per scan: 100k historic breaches a minute, each statement its own short transaction. */
const SILENT_ROUNDS = 20;
export { AUTO_CLOSE_AFTER_DAYS };

type Logger = HookExtensionContext['logger'];

export function registerSlaJobs(context: HookExtensionContext, logger: Logger): void {
  const { jobs, events } = platform();
  const { database } = context;

  jobs.defineQueue(SLA_SCAN_QUEUE, async () => {
    const now = new Date();
    const cutoff = new Date(now.getTime() - SILENT_BREACH_AFTER_MS);
    let silent = 0;
    for (let round = 0; round < SILENT_ROUNDS; round++) {
      const marked = await markHistoricBreachesQuery(database, cutoff);
      silent += marked;
      if (marked < SILENT_BATCH) break;
    }
    if (silent) logger.info({ silent }, 'historic SLA breaches marked without events');
    await database.transaction(async (trx) => {
      const rows = (await slaScanQuery(trx, now)) as (SlaTicket & { id: string; number: string })[];
      let published = 0;
      for (const ticket of rows) {
        const verdict = classify(ticket, now);
        if (!verdict) continue;
        const type = escalation(ticket.sla_state, verdict.state);
        if (!type && ticket.sla_state === verdict.state) continue;
        await trx('tickets').where('id', ticket.id).update({ sla_state: verdict.state });
        // A breach that passed the silent window between the two statements is history too.
        if (!type || isHistoricBreach(verdict, now)) continue;
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
    const ids = (await autoCloseQuery(database)) as string[];
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

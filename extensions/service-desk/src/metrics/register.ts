// The service desk's gauges in the platform's metrics (platformApi.metrics; read only when METRICS_TOKEN is set).
// One grouped query over the open tickets per scrape.
import type { Knex } from 'knex';
import { platform } from '../platform.js';
import { CLOSED_STATES, TICKET_GAUGES, ticketSamples, type TicketCountRow } from './core/gauges.js';

export function registerTicketGauges(database: Knex): void {
  platform().metrics.registerGauges({
    name: 'service-desk',
    gauges: TICKET_GAUGES,
    async collect() {
      const rows = (await database('tickets')
        .select('status', 'priority', 'sla_state')
        .count({ count: '*' })
        .whereNotIn('status', CLOSED_STATES)
        .groupBy('status', 'priority', 'sla_state')) as TicketCountRow[];
      return ticketSamples(rows);
    },
  });
}

// The service desk's business gauges, read by the platform's metrics on each scrape: open tickets by status and
// priority, and open tickets past (or near) an SLA due time. Pure: rows in, samples out.
import { CLOSED_STATES } from '../../sla/core/breach.js';

export const OPEN_TICKETS = 'groundwork_service_desk_open_tickets';
export const SLA_TICKETS = 'groundwork_service_desk_sla_tickets';

export const TICKET_GAUGES = [
  {
    name: OPEN_TICKETS,
    help: 'Open tickets (not solved or closed) by status and priority.',
    labelNames: ['status', 'priority'],
  },
  {
    name: SLA_TICKETS,
    help: 'Open tickets by SLA state (breached: past a due time; at_risk: within 20 % of it) and priority.',
    labelNames: ['sla_state', 'priority'],
  },
];

export interface TicketCountRow {
  status: string | null;
  priority: string | null;
  sla_state: string | null;
  count: number | string;
}

export { CLOSED_STATES };

// Status, priority and SLA state are dropdowns with fixed choices; anything else (a hand-written value) is `other`,
// so a label never takes free text.
const label = (value: string | null) => (value === null ? 'none' : /^[a-z_]{1,32}$/.test(value) ? value : 'other');

type Sample = { name: string; labels: Record<string, string>; value: number };

export function ticketSamples(rows: TicketCountRow[]): Sample[] {
  const open = new Map<string, number>();
  const sla = new Map<string, number>([
    ['breached\u0000normal', 0],
    ['at_risk\u0000normal', 0],
  ]);
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  for (const row of rows) {
    if (row.status !== null && CLOSED_STATES.includes(row.status)) continue;
    const n = Number(row.count);
    const priority = label(row.priority);
    add(open, `${label(row.status)}\u0000${priority}`, n);
    if (row.sla_state === 'breached' || row.sla_state === 'at_risk') add(sla, `${row.sla_state}\u0000${priority}`, n);
  }
  const samples = (name: string, labels: [string, string], map: Map<string, number>): Sample[] =>
    [...map].map(([key, value]) => {
      const [a, b] = key.split('\u0000') as [string, string];
      return { name, labels: { [labels[0]]: a, [labels[1]]: b }, value };
    });
  return [
    ...samples(OPEN_TICKETS, ['status', 'priority'], open),
    ...samples(SLA_TICKETS, ['sla_state', 'priority'], sla),
  ];
}

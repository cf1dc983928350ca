// SLA classification of an open ticket: on track, at risk (the last 20% of the time to a due time), or breached.
// Pure. Until the first response, the earlier of the two due times counts; after it, the resolution due time.
// While a ticket is paused (pending or on hold: `sla_paused_since` is set by the database) nothing counts. The
// database pushes the due times out by the completed pauses (`sla_paused_seconds`), so the time a target allows is
// due - created - paused, and "at risk" is the last 20% of that, not of the wall-clock span.

export type SlaState = 'on_track' | 'at_risk' | 'breached';
export type SlaTarget = 'first_response' | 'resolution';

/** Share of the time to a due time left when a ticket becomes "at risk". */
export const AT_RISK_SHARE = 0.2;

const RANK: Record<SlaState, number> = { on_track: 0, at_risk: 1, breached: 2 };
export const CLOSED_STATES = ['solved', 'closed'];

export interface SlaTicket {
  status: string;
  date_created: Date | string | null;
  first_response_due_at: Date | string | null;
  resolution_due_at: Date | string | null;
  first_responded_at: Date | string | null;
  sla_state: string | null;
  sla_paused_since: Date | string | null;
  sla_paused_seconds: number | null;
}

const time = (value: Date | string | null) => (value === null ? null : new Date(value).getTime());

/** `start` is when the clock would have started had there been no pause: creation + completed pauses. */
function stateFor(start: number, due: number, now: number): SlaState {
  if (now > due) return 'breached';
  return now >= due - (due - start) * AT_RISK_SHARE ? 'at_risk' : 'on_track';
}

/** Whether the ticket's clocks stand still now (the scan never flags a paused ticket). */
export function isPaused(ticket: Pick<SlaTicket, 'sla_paused_since'>): boolean {
  return ticket.sla_paused_since !== null;
}

/** The worst state over the due times that count, with the target and due time that put it there. */
export function classify(ticket: SlaTicket, now: Date): { state: SlaState; target: SlaTarget; dueAt: Date } | null {
  const created = time(ticket.date_created);
  if (CLOSED_STATES.includes(ticket.status) || created === null || isPaused(ticket)) return null;
  const start = created + (ticket.sla_paused_seconds ?? 0) * 1000;
  const targets: [SlaTarget, number | null][] = [['resolution', time(ticket.resolution_due_at)]];
  if (ticket.first_responded_at === null) targets.unshift(['first_response', time(ticket.first_response_due_at)]);
  let worst: { state: SlaState; target: SlaTarget; dueAt: Date } | null = null;
  for (const [target, due] of targets) {
    if (due === null) continue;
    const state = stateFor(start, due, now.getTime());
    if (!worst || RANK[state] > RANK[worst.state]) worst = { state, target, dueAt: new Date(due) };
  }
  return worst;
}

/**
 * A breach the scan finds this long after the due time is history, not news: rows imported or seeded with past
 * dates, or a scheduler that was down. The scan marks such tickets breached without an event, so importing a year
 * of tickets does not send a notification storm (issue 11). The scan runs every minute, so a live breach is seen
 * within minutes; six hours leaves room for a restart or a stalled queue before anything goes silent.
 */
export const SILENT_BREACH_AFTER_MS = 6 * 60 * 60 * 1000;

/** Whether a breach is older than SILENT_BREACH_AFTER_MS at `now`: mark it, publish nothing. */
export function isHistoricBreach(verdict: { state: SlaState; dueAt: Date }, now: Date): boolean {
  return verdict.state === 'breached' && now.getTime() - verdict.dueAt.getTime() > SILENT_BREACH_AFTER_MS;
}

/** The event to publish when a ticket's SLA state worsens (never when it stays or improves). */
export function escalation(
  previous: string | null,
  next: SlaState,
): 'sla.tickets.warning' | 'sla.tickets.breached' | null {
  const before = RANK[(previous ?? 'on_track') as SlaState] ?? 0;
  if (RANK[next] <= before) return null;
  return next === 'breached' ? 'sla.tickets.breached' : 'sla.tickets.warning';
}

import { describe, expect, it } from '@jest/globals';
import { OPEN_TICKETS, SLA_TICKETS, ticketSamples } from './gauges.js';

describe('ticketSamples', () => {
  it('counts open tickets by status and priority, and SLA states by priority', () => {
    const samples = ticketSamples([
      { status: 'new', priority: 'high', sla_state: null, count: '2' },
      { status: 'new', priority: 'high', sla_state: 'breached', count: 1 },
      { status: 'open', priority: 'urgent', sla_state: 'at_risk', count: 3 },
      { status: 'solved', priority: 'high', sla_state: 'breached', count: 9 },
      { status: 'closed', priority: 'low', sla_state: null, count: 4 },
      { status: 'open', priority: null, sla_state: 'on_track', count: 1 },
      { status: 'Weird Value', priority: 'low', sla_state: null, count: 1 },
    ]);
    const find = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(find(OPEN_TICKETS, { status: 'new', priority: 'high' })).toBe(3);
    expect(find(OPEN_TICKETS, { status: 'open', priority: 'urgent' })).toBe(3);
    expect(find(OPEN_TICKETS, { status: 'open', priority: 'none' })).toBe(1);
    expect(find(OPEN_TICKETS, { status: 'other', priority: 'low' })).toBe(1);
    expect(find(OPEN_TICKETS, { status: 'solved', priority: 'high' })).toBeUndefined();
    expect(find(SLA_TICKETS, { sla_state: 'breached', priority: 'high' })).toBe(1);
    expect(find(SLA_TICKETS, { sla_state: 'at_risk', priority: 'urgent' })).toBe(3);
    // Always present, so an alert sees 0 rather than nothing.
    expect(find(SLA_TICKETS, { sla_state: 'breached', priority: 'normal' })).toBe(0);
  });
});

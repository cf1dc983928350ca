import { describe, expect, it } from '@jest/globals';
import { classify, escalation, isHistoricBreach, isPaused, SILENT_BREACH_AFTER_MS, type SlaTicket } from './breach.js';

const base: SlaTicket = {
  status: 'open',
  date_created: '2026-06-10T00:00:00Z',
  first_response_due_at: '2026-06-10T01:00:00Z',
  resolution_due_at: '2026-06-10T10:00:00Z',
  first_responded_at: null,
  sla_state: null,
  sla_paused_since: null,
  sla_paused_seconds: 0,
};
const at = (iso: string) => new Date(iso);

describe('classify', () => {
  it('is on track before the last 20% of the time to the due time', () => {
    expect(classify(base, at('2026-06-10T00:47:59Z'))?.state).toBe('on_track');
  });
  it('is at risk in the last 20% and breached after the due time', () => {
    expect(classify(base, at('2026-06-10T00:48:00Z'))).toEqual({
      state: 'at_risk',
      target: 'first_response',
      dueAt: at('2026-06-10T01:00:00Z'),
    });
    expect(classify(base, at('2026-06-10T01:00:01Z'))?.state).toBe('breached');
  });
  it('counts only the resolution due time after the first response', () => {
    const responded = { ...base, first_responded_at: '2026-06-10T00:10:00Z' };
    expect(classify(responded, at('2026-06-10T02:00:00Z'))).toEqual({
      state: 'on_track',
      target: 'resolution',
      dueAt: at('2026-06-10T10:00:00Z'),
    });
    expect(classify(responded, at('2026-06-10T08:00:00Z'))?.state).toBe('at_risk');
  });
  it('ignores solved and closed tickets and tickets without due times', () => {
    expect(classify({ ...base, status: 'solved' }, at('2026-06-11T00:00:00Z'))).toBeNull();
    expect(
      classify({ ...base, first_response_due_at: null, resolution_due_at: null }, at('2026-06-11T00:00:00Z')),
    ).toBeNull();
  });
});

describe('classify with pauses', () => {
  it('flags nothing while the ticket is paused, however late it is', () => {
    const paused = { ...base, status: 'pending', sla_paused_since: '2026-06-10T00:30:00Z' };
    expect(classify(paused, at('2026-06-12T00:00:00Z'))).toBeNull();
    expect(classify({ ...paused, status: 'on_hold', sla_state: 'at_risk' }, at('2026-06-12T00:00:00Z'))).toBeNull();
  });
  it('measures "at risk" on the time the target allows, not on the span stretched by pauses', () => {
    // 60 minutes to the first response, paused 2 hours: the database put the due time at 03:00.
    const resumed = { ...base, sla_paused_seconds: 7200, first_response_due_at: '2026-06-10T03:00:00Z' };
    expect(classify(resumed, at('2026-06-10T02:47:59Z'))?.state).toBe('on_track');
    expect(classify(resumed, at('2026-06-10T02:48:00Z'))).toEqual({
      state: 'at_risk',
      target: 'first_response',
      dueAt: at('2026-06-10T03:00:00Z'),
    });
    expect(classify(resumed, at('2026-06-10T03:00:01Z'))?.state).toBe('breached');
    // Counted from creation alone, 02:24 would already be "at risk" (the last 20% of 3 hours).
    expect(classify(resumed, at('2026-06-10T02:24:00Z'))?.state).toBe('on_track');
  });
  it('treats a missing pause total as no pause', () => {
    expect(classify({ ...base, sla_paused_seconds: null }, at('2026-06-10T00:48:00Z'))?.state).toBe('at_risk');
  });
  it('tells paused from running tickets', () => {
    expect(isPaused(base)).toBe(false);
    expect(isPaused({ sla_paused_since: new Date('2026-06-10T00:30:00Z') })).toBe(true);
  });
});

describe('escalation', () => {
  it('publishes only when the state worsens', () => {
    expect(escalation(null, 'on_track')).toBeNull();
    expect(escalation(null, 'at_risk')).toBe('sla.tickets.warning');
    expect(escalation('at_risk', 'at_risk')).toBeNull();
    expect(escalation('at_risk', 'breached')).toBe('sla.tickets.breached');
    expect(escalation(null, 'breached')).toBe('sla.tickets.breached');
    expect(escalation('breached', 'at_risk')).toBeNull();
  });
});

describe('isHistoricBreach', () => {
  const due = at('2026-06-10T01:00:00Z');
  it('is a breach seen more than the silent window after its due time', () => {
    const later = (ms: number) => new Date(due.getTime() + ms);
    expect(isHistoricBreach({ state: 'breached', dueAt: due }, later(SILENT_BREACH_AFTER_MS + 1))).toBe(true);
    expect(isHistoricBreach({ state: 'breached', dueAt: due }, later(SILENT_BREACH_AFTER_MS))).toBe(false);
    expect(isHistoricBreach({ state: 'breached', dueAt: due }, later(60_000))).toBe(false);
  });
  it('never silences a warning', () => {
    expect(isHistoricBreach({ state: 'at_risk', dueAt: due }, at('2027-01-01T00:00:00Z'))).toBe(false);
  });
});

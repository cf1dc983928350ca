import { describe, expect, it } from '@jest/globals';
import { afterFailure, EVENT_DISPATCH_SETTINGS, eventJobsSql, storedError, toPublishedEvent } from './outbox.js';

describe('event dispatch settings', () => {
  it("are a job queue's settings: 8 retries from 5 s with backoff, a 15 minute lease", () => {
    expect(EVENT_DISPATCH_SETTINGS).toEqual(
      expect.objectContaining({ retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds: 900 }),
    );
  });
});

describe('afterFailure', () => {
  const settings = { retryLimit: 2, retryDelay: 10, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 60 };

  it('waits as a job retry would, doubling per attempt', () => {
    expect(afterFailure(1, settings, 0)).toEqual({ dead: false, delaySeconds: 10 });
    expect(afterFailure(2, settings, 1)).toEqual({ dead: false, delaySeconds: 40 });
  });

  it('is dead once the retries are spent (attempts = retries + 1)', () => {
    expect(afterFailure(3, settings, 0)).toEqual({ dead: true });
    expect(afterFailure(1, { ...settings, retryLimit: 0 }, 0)).toEqual({ dead: true });
  });

  it('treats a missing attempt count as the first', () => {
    expect(afterFailure(0, settings, 0)).toEqual({ dead: false, delaySeconds: 10 });
  });
});

describe('toPublishedEvent', () => {
  it('gives handlers the row with an ISO timestamp and an object for data', () => {
    const row = {
      id: 'e1',
      seq: '7',
      type: 'ticket.created',
      collection: 'tickets',
      item: '42',
      actor: null,
      data: null as unknown as Record<string, unknown>,
      occurred_at: new Date('2026-12-01T10:00:00Z'),
      attempts: 1,
    };
    expect(toPublishedEvent(row)).toEqual({
      id: 'e1',
      type: 'ticket.created',
      collection: 'tickets',
      item: '42',
      actor: null,
      data: {},
      occurredAt: '2026-12-01T10:00:00.000Z',
    });
    expect(toPublishedEvent({ ...row, data: { a: 1 } }).data).toEqual({ a: 1 });
  });
});

describe('storedError', () => {
  it('keeps name and message, never the stack', () => {
    expect(storedError(new TypeError('boom'))).toEqual({ name: 'TypeError', message: 'boom' });
    expect(storedError('plain')).toEqual({ name: 'Error', message: 'plain' });
  });
});

describe('eventJobsSql', () => {
  it('reads the outbox as jobs of groundwork.events, dead ones under its dead-letter name', () => {
    const sql = eventJobsSql({ retryLimit: 3 });
    expect(sql).toContain("'groundwork.events.dead'");
    expect(sql).toContain('3 AS retry_limit');
    expect(sql).toContain('FROM groundwork.domain_event e');
  });
});

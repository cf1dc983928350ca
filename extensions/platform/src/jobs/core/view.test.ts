import { describe, expect, it } from '@jest/globals';
import { jobsAndEventsSql, toJobView, type JobRow } from './view.js';

const now = new Date('2026-11-26T10:00:00Z');
const base: JobRow = {
  id: 'j1',
  name: 'mail.send',
  state: 'created',
  retry_count: 0,
  retry_limit: 2,
  singleton_key: null,
  data: { to: 'someone@example.com' },
  output: null,
  created_on: new Date('2026-11-26T09:00:00Z'),
  start_after: new Date('2026-11-26T09:00:00Z'),
  started_on: null,
  completed_on: null,
  source_name: null,
  source_retry_count: null,
  source_output: null,
};

describe('toJobView', () => {
  it('counts no attempt for a job that never started, and keeps payloads out unless asked', () => {
    const view = toJobView(base, now, { includeData: false });
    expect(view).toEqual({
      id: 'j1',
      queue: 'mail.send',
      status: 'queued',
      attempts: 0,
      maxAttempts: 3,
      error: null,
      singletonKey: null,
      createdOn: '2026-11-26T09:00:00.000Z',
      startAfter: '2026-11-26T09:00:00.000Z',
      startedOn: null,
      completedOn: null,
    });
    expect(toJobView(base, now, { includeData: true }).data).toEqual({ to: 'someone@example.com' });
  });

  it('counts the running attempt of a retrying job and shows its last error', () => {
    const view = toJobView(
      { ...base, state: 'retry', retry_count: 1, started_on: now, output: { message: 'SMTP down', stack: 'x' } },
      now,
      { includeData: false },
    );
    expect(view).toEqual(expect.objectContaining({ status: 'retrying', attempts: 2, error: 'SMTP down' }));
  });

  it('shows a dead letter under the queue it died in, with that queue attempts and error', () => {
    const view = toJobView(
      {
        ...base,
        name: 'mail.send.dead',
        retry_limit: 0,
        source_name: 'mail.send',
        source_retry_count: 2,
        source_output: { message: 'SMTP down' },
      },
      now,
      { includeData: false },
    );
    expect(view).toEqual(
      expect.objectContaining({ queue: 'mail.send', status: 'dead', attempts: 3, maxAttempts: 3, error: 'SMTP down' }),
    );
  });
});

describe('jobsAndEventsSql', () => {
  it("lists pg-boss's jobs and the outbox's events in one column order", () => {
    const sql = jobsAndEventsSql();
    const [jobs, events] = sql.split(' UNION ALL ');
    expect(jobs).toContain('j.state::text AS state');
    expect(jobs).toContain('NULL::integer AS source_retry_limit');
    expect(jobs).toContain('FROM pgboss.job j');
    expect(events).toContain('FROM groundwork.domain_event e');
    const order = (part: string) =>
      ['AS state', 'retry_count', 'AS source_retry_limit'].map((column) => part.indexOf(column));
    expect(order(jobs!).every((at, i, all) => at > 0 && (i === 0 || at > all[i - 1]!))).toBe(true);
    expect(order(events!).every((at, i, all) => at > 0 && (i === 0 || at > all[i - 1]!))).toBe(true);
  });
});

import { describe, expect, it } from '@jest/globals';
import { noticeOf, progressOf, runView, type RunCounters, type StoredRun } from './progress.js';
import type { ImportReport } from './report.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, seconds));
const counters = (change: Partial<RunCounters>): RunCounters => ({
  status: 'running',
  phase: 'checking',
  rows_total: 10_000,
  rows_checked: 0,
  rows_written: 0,
  started_at: at(0),
  phase_started_at: at(0),
  finished_at: null,
  ...change,
});
const report = (change: Partial<ImportReport> = {}): ImportReport => ({
  collection: 'tickets',
  mode: 'insert',
  dry_run: false,
  written: true,
  replayed: false,
  checksum: 'c',
  counts: { rows: 3, insert: 2, update: 1, skip: 0, errors: 0 },
  errors: [],
  ...change,
});

describe('progressOf', () => {
  it('has no pace and no ETA before the first chunk', () => {
    expect(progressOf(counters({ status: 'queued', phase: 'queued', started_at: null }), at(5))).toEqual({
      phase: 'queued',
      rows_total: 10_000,
      rows_checked: 0,
      rows_written: 0,
      percent: 0,
      rows_per_second: null,
      eta_seconds: null,
    });
  });

  it('counts each row twice (checked, written) and extrapolates the pace so far', () => {
    // 5,000 of 20,000 steps in 10 s: 15,000 steps left at 500 per second.
    const progress = progressOf(counters({ rows_checked: 5_000 }), at(10));
    expect(progress).toMatchObject({ percent: 25, rows_per_second: 500, eta_seconds: 30 });
  });

  it("measures the writing phase's pace from when writing began", () => {
    const progress = progressOf(
      counters({ phase: 'writing', rows_checked: 10_000, rows_written: 4_000, phase_started_at: at(20) }),
      at(22),
    );
    expect(progress).toMatchObject({ percent: 70, rows_per_second: 2_000 });
    // 14,000 steps in 22 s: 6,000 left.
    expect(progress.eta_seconds).toBe(Math.ceil(6_000 / (14_000 / 22)));
  });

  it('never says 100 % before the end, and says 100 % with no time left once finished', () => {
    expect(progressOf(counters({ phase: 'writing', rows_checked: 10_000, rows_written: 10_000 }), at(9)).percent).toBe(
      99,
    );
    const done = progressOf(
      counters({ status: 'succeeded', phase: 'done', rows_checked: 10_000, rows_written: 10_000, finished_at: at(8) }),
      at(600),
    );
    expect(done).toMatchObject({ percent: 100, eta_seconds: 0 });
  });

  it('copes with an empty total', () => {
    expect(progressOf(counters({ rows_total: 0 }), at(1))).toMatchObject({ percent: 0, eta_seconds: null });
  });
});

describe('noticeOf', () => {
  const run = { collection: 'tickets', error: null };
  it('says what was written', () => {
    expect(noticeOf({ ...run, status: 'succeeded' }, report())).toEqual({
      subject: 'Import into tickets finished',
      body: '3 rows: 2 inserted, 1 updated, 0 skipped.',
    });
  });
  it('says a replay wrote nothing new, and a dry run what it would do', () => {
    expect(noticeOf({ ...run, status: 'succeeded' }, report({ replayed: true })).body).toMatch(/imported before/);
    expect(noticeOf({ ...run, status: 'succeeded' }, report({ dry_run: true, written: false }))).toEqual({
      subject: 'Dry run into tickets finished',
      body: 'No row errors: 2 to insert, 1 to update, 0 to skip.',
    });
  });
  it('says row errors wrote nothing, and gives a failure its reason', () => {
    const rejected = report({ written: false, counts: { rows: 3, insert: 0, update: 0, skip: 0, errors: 2 } });
    expect(noticeOf({ ...run, status: 'rejected' }, rejected)).toEqual({
      subject: 'Import into tickets: nothing written',
      body: '2 row error(s) out of 3 rows; all or nothing, so no row was written. The report lists each error.',
    });
    expect(noticeOf({ collection: 'tickets', status: 'failed', error: 'Broken quoting.' }, null)).toEqual({
      subject: 'Import into tickets failed',
      body: 'Broken quoting.',
    });
  });
});

describe('runView', () => {
  it('answers stored JSON as objects and dates as ISO text, without the file', () => {
    const stored: StoredRun = {
      ...counters({ status: 'succeeded', phase: 'done', finished_at: at(4) }),
      id: 'r',
      user_id: 'u',
      collection: 'tickets',
      options: JSON.stringify({ dry_run: true }),
      file_name: 'a.csv',
      attempts: 2,
      report: JSON.stringify(report()),
      error: null,
      created_at: at(0),
    };
    const view = runView(stored, at(10));
    expect(view).toMatchObject({
      id: 'r',
      dry_run: true,
      attempts: 2,
      report: report(),
      finished_at: at(4).toISOString(),
    });
    expect(view).not.toHaveProperty('file');
  });
});

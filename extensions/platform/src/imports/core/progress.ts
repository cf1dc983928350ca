// A background import run as its owner sees it (decision 0054): status, rows checked and written, rows per second
// and the time left, computed from the counters the worker stores after every chunk. Pure: the clock is passed in.
import type { ImportReport } from './report.js';

export const RUN_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'rejected', 'failed'] as const;
/**
 * queued: waiting for a worker; running: a worker holds it; retrying: an attempt broke (a crash, the database) and the
 * job waits for its retry; succeeded: written (or a clean dry run); rejected: row errors, nothing written; failed:
 * the file was refused as a whole, the user may no longer import, or every attempt broke.
 */
export type RunStatus = (typeof RUN_STATUSES)[number];
export const PHASES = ['queued', 'checking', 'writing', 'done'] as const;
export type Phase = (typeof PHASES)[number];

export const FINISHED: readonly RunStatus[] = ['succeeded', 'rejected', 'failed'];

/** The counters the worker stores (store.ts, groundwork.import_job). */
export interface RunCounters {
  status: RunStatus;
  phase: Phase;
  rows_total: number | null;
  rows_checked: number;
  rows_written: number;
  started_at: Date | null;
  phase_started_at: Date | null;
  finished_at: Date | null;
}

export interface RunProgress {
  phase: Phase;
  rows_total: number | null;
  rows_checked: number;
  rows_written: number;
  /** 0-100. Each row is counted twice: once checked, once written (a run with row errors ends after checking). */
  percent: number;
  /** Rows through the current phase per second, since it began. */
  rows_per_second: number | null;
  /** Seconds left at the pace so far (both phases' steps over the time since the start); null until measurable. */
  eta_seconds: number | null;
}

const seconds = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

export function progressOf(run: RunCounters, now: Date): RunProgress {
  const total = run.rows_total;
  const steps = run.rows_checked + run.rows_written;
  const finished = FINISHED.includes(run.status);
  const end = finished && run.finished_at ? run.finished_at : now;
  const percent = finished
    ? 100
    : total === null || total === 0
      ? 0
      : Math.min(99, Math.floor((steps / (2 * total)) * 100));
  const inPhase = run.phase === 'writing' ? run.rows_written : run.phase === 'checking' ? run.rows_checked : 0;
  const phaseSeconds = run.phase_started_at ? seconds(run.phase_started_at, end) : 0;
  const rowsPerSecond = phaseSeconds > 0 && inPhase > 0 ? Math.round(inPhase / phaseSeconds) : null;
  const elapsed = run.started_at ? seconds(run.started_at, end) : 0;
  let eta: number | null = null;
  if (finished) eta = 0;
  else if (total !== null && steps > 0 && elapsed > 0) eta = Math.ceil((2 * total - steps) / (steps / elapsed));
  return {
    phase: run.phase,
    rows_total: total,
    rows_checked: run.rows_checked,
    rows_written: run.rows_written,
    percent,
    rows_per_second: rowsPerSecond,
    eta_seconds: eta,
  };
}

/** What ended the run, in one line for the owner's notification. */
export function noticeOf(
  run: { collection: string; status: RunStatus; error: string | null },
  report: ImportReport | null,
): { subject: string; body: string } {
  const where = `into ${run.collection}`;
  if (run.status === 'succeeded' && report) {
    const what = report.dry_run ? 'Dry run' : 'Import';
    const counts = `${report.counts.insert} inserted, ${report.counts.update} updated, ${report.counts.skip} skipped`;
    return {
      subject: `${what} ${where} finished`,
      body: report.replayed
        ? `This file was imported before: nothing new was written (${counts} the first time).`
        : report.dry_run
          ? `No row errors: ${report.counts.insert} to insert, ${report.counts.update} to update, ${report.counts.skip} to skip.`
          : `${report.counts.rows} rows: ${counts}.`,
    };
  }
  if (run.status === 'rejected' && report)
    return {
      subject: `Import ${where}: nothing written`,
      body: `${report.counts.errors} row error(s) out of ${report.counts.rows} rows; all or nothing, so no row was written. The report lists each error.`,
    };
  return { subject: `Import ${where} failed`, body: run.error ?? 'The import could not run.' };
}

/** A stored run (no file bytes) as the run route answers it. */
export interface StoredRun extends RunCounters {
  id: string;
  user_id: string;
  collection: string;
  options: { dry_run?: boolean } | string;
  file_name: string;
  attempts: number;
  report: ImportReport | string | null;
  error: string | null;
  created_at: Date;
}

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());
const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export function runView(run: StoredRun, now: Date) {
  const options = parsed(run.options);
  return {
    id: run.id,
    collection: run.collection,
    status: run.status,
    dry_run: options.dry_run === true,
    file_name: run.file_name,
    user: run.user_id,
    attempts: run.attempts,
    progress: progressOf(run, now),
    error: run.error,
    report: run.report === null ? null : parsed(run.report),
    created_at: iso(run.created_at)!,
    started_at: iso(run.started_at),
    finished_at: iso(run.finished_at),
  };
}

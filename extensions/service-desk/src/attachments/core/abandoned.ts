// Customers upload first and link the file to a message after (decision 0047). An upload never linked is abandoned:
// it still counts against the organization's quota and no one but its uploader can read it. After a grace period
// (GROUNDWORK_ABANDONED_UPLOAD_HOURS, default 24 h) a scheduled job deletes it, row and bytes. Staff uploads are
// never touched: staff keep files in Directus that belong to no message.

export const DEFAULT_ABANDONED_UPLOAD_HOURS = 24;
/** Files deleted per run: a backlog drains over runs instead of holding one long job. */
export const ABANDONED_BATCH = 500;

/** The grace period in ms from the variable's value (whole hours, at least 1); an unreadable value is reported. */
export function abandonedAfterMs(value: string | undefined): { ms: number; problem: string | null } {
  const fallback = DEFAULT_ABANDONED_UPLOAD_HOURS * 3_600_000;
  if (value === undefined || value.trim() === '') return { ms: fallback, problem: null };
  const hours = Number(value);
  if (!Number.isInteger(hours) || hours < 1)
    return {
      ms: fallback,
      problem: `GROUNDWORK_ABANDONED_UPLOAD_HOURS must be a whole number of hours, at least 1; using ${DEFAULT_ABANDONED_UPLOAD_HOURS}`,
    };
  return { ms: hours * 3_600_000, problem: null };
}

/** Uploaded before this instant and still unlinked: abandoned. */
export const abandonedBefore = (now: Date, afterMs: number): Date => new Date(now.getTime() - afterMs);

// Cron expressions for defineSchedule. Pure.

/**
 * pg-boss files each cron occurrence under its minute (one job per schedule and minute, whichever instance sends
 * it), so schedules are 5-field cron in UTC with minute resolution. A 6th (seconds) field would look accepted and
 * then fire once a minute, so it is refused.
 */
export function assertCron(cron: string): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((field) => /^[\d*,/\-A-Za-z?LW#]+$/.test(field))) {
    throw new Error(`Cron "${cron}" must have 5 fields (minute hour day-of-month month day-of-week), in UTC`);
  }
}

// A background export run's statuses (decision 0059), apart from the zod contracts so the app module can use them
// without bundling zod.
export const EXPORT_RUN_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed'] as const;
/** queued: waiting; running: a worker holds it; retrying: an attempt broke; succeeded: the file is ready; failed. */
export type ExportRunStatus = (typeof EXPORT_RUN_STATUSES)[number];
export const EXPORT_FINISHED: readonly ExportRunStatus[] = ['succeeded', 'failed'];

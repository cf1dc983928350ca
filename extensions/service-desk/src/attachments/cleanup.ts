// Adapter for core/abandoned.ts: a scheduled job deletes customers' uploads never linked to a message, through
// Directus's FilesService so the bytes go with the row (local disk or S3).
import type { HookExtensionContext } from '@directus/types';
import { platform } from '../platform.js';
import { CUSTOMER_ROLE } from '../shared/roles.js';
import { ABANDONED_BATCH, abandonedAfterMs, abandonedBefore } from './core/abandoned.js';

export const ABANDONED_UPLOADS_QUEUE = 'service-desk.abandoned-uploads';

type Logger = HookExtensionContext['logger'];

export function registerAbandonedUploadCleanup(context: HookExtensionContext, logger: Logger): void {
  const { database, env } = context;
  const grace = abandonedAfterMs(env.GROUNDWORK_ABANDONED_UPLOAD_HOURS as string | undefined);
  if (grace.problem) logger.warn(grace.problem);
  const { jobs } = platform();

  jobs.defineQueue(ABANDONED_UPLOADS_QUEUE, async () => {
    const cutoff = abandonedBefore(new Date(), grace.ms);
    const ids = (await database('directus_files as f')
      .join('directus_users as u', 'u.id', 'f.uploaded_by')
      .where('u.role', CUSTOMER_ROLE)
      .whereNull('f.ticket_message')
      .where('f.uploaded_on', '<', cutoff)
      .whereNotExists(database('ticket_messages_files as j').select(1).whereRaw('j.directus_files_id = f.id'))
      .orderBy('f.uploaded_on')
      .limit(ABANDONED_BATCH)
      .pluck('f.id')) as string[];
    if (!ids.length) return;
    // No accountability: the system deletes what the query above chose (customers cannot delete files, and no user
    // runs this job). A link made to one of these files in the same instant fails on its foreign key: the upload
    // was a day old and unlinked, so the customer uploads it again.
    const files = new context.services.FilesService({ schema: await context.getSchema(), accountability: null });
    await files.deleteMany(ids);
    logger.info({ deleted: ids.length, uploadedBefore: cutoff.toISOString() }, 'abandoned customer uploads deleted');
  });
  jobs.defineSchedule(ABANDONED_UPLOADS_QUEUE, '17 * * * *');
}

// The notifications routes' zod contract: validation and OpenAPI both use it.
import { z } from 'zod';

/** POST /groundwork/v1/notifications/digest takes no options: it runs the same job the schedule runs. */
export const digestRunBody = z.object({}).strict().optional();

export const digestRunResponse = z.object({
  data: z.object({
    job: z.string().nullable().describe('The digest job id; null when a digest run is already queued.'),
  }),
});

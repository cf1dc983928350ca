// The jobs routes' contract in zod: the routes validate with it and the OpenAPI document is generated from it. Pure.
import { z } from 'zod';
import { JOB_STATUSES } from './queue-config.js';

export const listJobsQuery = z.object({
  status: z
    .enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(', ')}` })
    .optional()
    .meta({ description: 'Only jobs in this status.', example: 'dead' }),
  queue: z
    .string()
    .regex(/^[\w.\-/]{1,120}$/, { error: 'must be a queue name' })
    .optional()
    .meta({
      description: 'Only jobs of this queue (dead letters: the queue they came from).',
      example: 'groundwork.events',
    }),
  limit: z.coerce
    .number({ error: 'must be a whole number between 1 and 500' })
    .int({ error: 'must be a whole number between 1 and 500' })
    .min(1, { error: 'must be a whole number between 1 and 500' })
    .max(500, { error: 'must be a whole number between 1 and 500' })
    .default(100)
    .meta({ description: 'Most jobs to return, newest first.' }),
  offset: z.coerce
    .number({ error: 'must be a whole number >= 0' })
    .int({ error: 'must be a whole number >= 0' })
    .min(0, { error: 'must be a whole number >= 0' })
    .default(0),
});

export const jobIdParams = z.object({
  id: z.uuid({ error: 'must be a job id (uuid)' }).meta({ description: 'The job id.' }),
});

export const jobView = z
  .object({
    id: z.string(),
    queue: z.string().meta({ description: 'For a dead job, the queue it failed in.' }),
    status: z.enum(JOB_STATUSES),
    attempts: z.number().int().meta({ description: 'Runs started so far (for a dead job: before it died).' }),
    maxAttempts: z.number().int(),
    error: z.string().nullable().meta({ description: "The last error's message." }),
    singletonKey: z.string().nullable(),
    createdOn: z.string(),
    startAfter: z.string(),
    startedOn: z.string().nullable(),
    completedOn: z.string().nullable(),
    data: z.unknown().optional().meta({ description: "The job's payload; admins only." }),
  })
  .meta({
    example: {
      id: '0b6f2c1e-3e0a-4a43-9c43-6f1f5f2f6e10',
      queue: 'notifications.deliver',
      status: 'dead',
      attempts: 6,
      maxAttempts: 6,
      error: 'connect ECONNREFUSED 127.0.0.1:25',
      singletonKey: null,
      createdOn: '2026-11-26T07:00:00.000Z',
      startAfter: '2026-11-26T07:00:00.000Z',
      startedOn: null,
      completedOn: null,
    },
  });

export const jobList = z.object({ data: z.array(jobView) });

export const queueCounts = z.object({
  data: z.array(
    z.object({
      queue: z.string(),
      queued: z.number().int(),
      active: z.number().int(),
      retrying: z.number().int(),
      failed: z.number().int(),
      dead: z.number().int(),
    }),
  ),
});

export const retryResult = z.object({ data: z.object({ id: z.string(), queue: z.string() }) });

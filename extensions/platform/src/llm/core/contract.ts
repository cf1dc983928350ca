// The assist routes' input and their streamed events, as zod schemas (validation and OpenAPI).
import { z } from 'zod';
import { ASSISTS } from './prompts.js';

export const assistParams = z.object({
  id: z.uuid({ error: 'must be a ticket id (uuid)' }),
  assist: z.enum(ASSISTS, { error: `must be one of ${ASSISTS.join(', ')}` }),
});

export const assistBody = z
  .object({
    /** Ask the provider again even when the same prompt is cached. */
    fresh: z.boolean().optional(),
  })
  .strict();

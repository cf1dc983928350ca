// The health routes' contract in zod: the routes validate with it and the OpenAPI document is generated from it,
// so the docs and the validation cannot disagree. Pure.
import { z } from 'zod';

export const KNOWN_CHECKS = ['postgres', 'redis'] as const;

/** ?checks=postgres,redis: the configured probes to run (all when absent). */
export function readinessQuery(configured: readonly string[]) {
  const names = configured as [string, ...string[]];
  return z.object({
    checks: z
      .string()
      .transform((value) => value.split(',').map((name) => name.trim()))
      .pipe(z.array(z.enum(names, { error: `must name configured checks: ${names.join(', ')}` })))
      .optional()
      .meta({ description: 'Comma-separated checks to run; all configured checks when absent.', example: 'postgres' }),
  });
}

export const livenessResponse = z
  .object({ status: z.literal('alive'), uptimeSeconds: z.number().int().nonnegative() })
  .meta({ example: { status: 'alive', uptimeSeconds: 3600 } });

const checkResult = z.union([
  z.object({ status: z.literal('up'), latencyMs: z.number().nonnegative() }),
  z.object({
    status: z.literal('down'),
    latencyMs: z.number().nonnegative(),
    reason: z.string().meta({ description: 'An error code such as ECONNREFUSED, or the timeout.' }),
  }),
]);

export const readinessReport = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), checkResult),
  })
  .meta({
    example: {
      status: 'unavailable',
      checks: { postgres: { status: 'down', latencyMs: 2001, reason: 'no answer within 2000 ms' } },
    },
  });

export const runningVersions = z
  .object({ groundwork: z.string(), directus: z.string(), node: z.string() })
  .meta({ example: { groundwork: '0.1.0', directus: '11.17.4', node: 'v22.23.3' } });

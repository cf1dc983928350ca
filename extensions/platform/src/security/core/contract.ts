// The security-events route's contract in zod: the route validates with it and the OpenAPI document is generated
// from it. Pure.
import { z } from 'zod';

const word = (description: string) =>
  z
    .string()
    .regex(/^[a-z_]{1,40}$/, { error: 'must be lower-case letters and underscores' })
    .optional()
    .meta({ description });

const instant = (description: string) =>
  z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-12-02T10:00:00Z' })
    .optional()
    .meta({ description });

export const listSecurityEventsQuery = z
  .object({
    type: word(
      'Only events of this type (login, access_denied, role, policy, permission, access, user_role, user_policies, user_status, tfa, password, password_reset, token, registration, user).',
    ),
    outcome: word('Only events with this outcome (failed, throttled, forbidden, updated, enabled, ...).'),
    user: z
      .uuid({ error: 'must be a user id (uuid)' })
      .optional()
      .meta({ description: 'Only events about or by this user (subject or actor).' }),
    since: instant('Only events at or after this time.'),
    until: instant('Only events before this time.'),
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,17}$/, { error: 'must be the next_cursor of a previous page' })
      .optional()
      .meta({ description: "The previous page's meta.next_cursor: events older than those." }),
    limit: z.coerce
      .number({ error: 'must be a whole number between 1 and 500' })
      .int({ error: 'must be a whole number between 1 and 500' })
      .min(1, { error: 'must be a whole number between 1 and 500' })
      .max(500, { error: 'must be a whole number between 1 and 500' })
      .default(50)
      .meta({ description: 'Most events to return, newest first.' }),
  })
  .strict();

export type SecurityEventsFilter = z.infer<typeof listSecurityEventsQuery>;

export const securityEventView = z.object({
  id: z.string().describe('Increasing id; also the paging cursor.'),
  occurred_at: z.string().describe('When (ISO 8601).'),
  type: z.string(),
  outcome: z.string(),
  actor_id: z.string().nullable().describe('Who did it; null for anonymous callers and system work.'),
  user_id: z.string().nullable().describe('Whom it is about.'),
  account_key: z.string().nullable().describe('A keyed hash of the login identity (never the address).'),
  ip: z.string().nullable(),
  request_id: z.string().nullable().describe('The X-Request-Id of the request that caused it.'),
  detail: z.record(z.string(), z.unknown()).describe('Ids, field names and counts; never secrets or addresses.'),
});

export const securityEventList = z.object({
  data: z.array(securityEventView),
  meta: z.object({ next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null at the end.') }),
});

/** The admin app module that lists security events (src/security/app/module.ts). */
export const SECURITY_MODULE_ID = 'groundwork-security';

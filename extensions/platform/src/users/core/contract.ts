// The user-management routes' zod contract: the routes validate with it and OpenAPI is built from it.
import { z } from 'zod';

/** Statuses that end access. `suspended` is reversible by an admin; `archived` means the account is closed. */
export const INACTIVE_STATUSES = ['suspended', 'archived'] as const;

export const deactivateSelfBody = z
  .object({
    password: z.string().min(1).max(1024).describe('The current password: a stolen access token alone is not enough.'),
  })
  .strict();

export const deactivateUserParams = z.object({ id: z.uuid().describe('The user to deactivate.') }).strict();

export const deactivateUserBody = z
  .object({
    status: z.enum(INACTIVE_STATUSES).default('suspended').describe('suspended (default) or archived.'),
  })
  .strict();

export const deactivation = z.object({
  data: z.object({
    id: z.uuid(),
    status: z.enum(INACTIVE_STATUSES),
    sessions_revoked: z.number().int().nonnegative().describe('Refresh tokens and app sessions deleted.'),
    static_token_revoked: z.boolean().describe('The user had a static API token, now removed.'),
  }),
});
export type Deactivation = z.infer<typeof deactivation>['data'];

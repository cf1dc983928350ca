// The API-key routes' zod contract: the routes validate with it and OpenAPI is built from it.
import { z } from 'zod';

export const createKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100).describe('What the key is for (shown in lists and on its service user).'),
    policy: z.uuid().describe('The policy whose permissions the key gets, and no more. Not an admin policy.'),
    expires_at: z.iso
      .datetime({ offset: true })
      .nullable()
      .default(null)
      .describe('When the key stops working (ISO 8601, in the future); null for never.'),
    require_signature: z
      .boolean()
      .default(false)
      .describe('Refuse requests without a valid HMAC signature (x-groundwork-timestamp, x-groundwork-signature).'),
  })
  .strict();
export type CreateKeyInput = z.infer<typeof createKeyBody>;

export const keyParams = z.object({ id: z.uuid().describe('The key.') }).strict();
export const listKeysQuery = z.object({}).strict();

export const apiKeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The public part of the key (gw_<prefix>_…), to recognise it.'),
  policy: z.uuid(),
  user: z.uuid().describe('The service user the key acts as (created with the key).'),
  require_signature: z.boolean(),
  status: z.enum(['active', 'expired', 'revoked']),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable().describe('Updated at most once a minute.'),
  created_at: z.string(),
  created_by: z.uuid().nullable(),
  revoked_at: z.string().nullable(),
  revoked_by: z.uuid().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;

export const createdKey = z.object({
  data: apiKeyView.extend({
    key: z.string().describe('The key itself: shown this once, never again.'),
    signing_secret: z
      .string()
      .nullable()
      .describe('For keys that require signatures: the HMAC-SHA256 secret, shown this once.'),
  }),
});
export const keyList = z.object({ data: z.array(apiKeyView) });
export const oneKey = z.object({ data: apiKeyView });

// Registers API keys (decision 0020): their tables at boot, the `authenticate` filter that turns a `gw_` key into
// its service user's accountability, the refusal of static tokens for non-admins (on write and, in the filter, on
// use), the pruning of remembered signatures, and the admin-app module in the module bar.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import { defineQueue, defineSchedule } from '../jobs/index.js';
import { securityStore } from '../security/store.js';
import type { PlatformEnv } from '../shared/env.js';
import { InvalidPayloadError } from '../shared/errors.js';
import { keyAuthentication } from './authenticate.js';
import { apiKeyStore, installApiKeyTables, type ApiKeyStore } from './store.js';

export const PRUNE_SIGNATURES_QUEUE = 'api-keys.prune-signatures';

const STATIC_TOKEN_REFUSED = {
  issues: [
    {
      path: 'token',
      message: 'static tokens are for administrators only; integrations use API keys (/groundwork/v1/api-keys)',
    },
  ],
};

/**
 * `users.create` / `users.update` filter: a static token only on a user who is (or stays) an administrator.
 * Clearing a token (null) is always allowed.
 */
export function refuseStaticTokens(store: ApiKeyStore) {
  return async <T>(payload: T, meta: Record<string, unknown>): Promise<T> => {
    const body = payload as Record<string, unknown> | null;
    if (!body || body['token'] === undefined || body['token'] === null) return payload;
    const keys = (meta['keys'] as string[] | undefined) ?? [null];
    for (const key of keys) {
      const current = key ? await store.users.userRow(key) : null;
      const role = 'role' in body ? ((body['role'] as string | null) ?? null) : (current?.role ?? null);
      if (!(await store.wouldBeAdmin({ id: key ?? '00000000-0000-0000-0000-000000000000', role }, null)))
        throw new InvalidPayloadError(STATIC_TOKEN_REFUSED);
    }
    return payload;
  };
}

export function registerApiKeys(
  { filter, init }: RegisterFunctions,
  context: HookExtensionContext,
  config: PlatformEnv,
): void {
  const logger = context.logger.child({ capability: 'api-keys' });
  const store = apiKeyStore(context.database);

  const keys = keyAuthentication({
    store,
    security: securityStore(context.database),
    serverSecret: config.SECRET ?? null,
    logger,
  });
  filter('authenticate', keys.http);
  // Websockets take unsigned keys (an `auth` message or the handshake's access_token).
  filter('websocket.authenticate', keys.websocket);
  filter('users.create', refuseStaticTokens(store));
  filter('users.update', refuseStaticTokens(store));

  defineQueue(PRUNE_SIGNATURES_QUEUE, async () => {
    const pruned = await store.pruneSignatures();
    if (pruned > 0) logger.info({ pruned }, 'api-keys: pruned remembered signatures');
  });
  defineSchedule(PRUNE_SIGNATURES_QUEUE, '23 * * * *');

  // At app.after, before the server listens. Every platform install runs under one advisory lock (shared/install.ts),
  // so neither another capability nor another instance starting at once races it.
  init('app.after', async () => {
    try {
      await installApiKeyTables(context.database);
    } catch (error) {
      // Every request with a key would answer 500 otherwise; stop like the security tables do.
      logger.fatal({ err: error }, 'api-keys: could not install the api key tables');
      process.exit(1);
    }
    // Static tokens written before this rule: refused on use (authenticate filter); say so once at boot.
    const holders = await store.usersWithStaticTokens();
    let refused = 0;
    for (const id of holders) {
      const row = await store.users.userRow(id);
      if (row && !(await store.wouldBeAdmin(row, null))) refused += 1;
    }
    if (refused > 0)
      logger.warn(
        { users: refused },
        'api-keys: non-admin users hold static tokens; those tokens are refused: give them API keys instead',
      );
  });
}

// HTTP adapter for API keys (BE-903), admins only: create (the key and its signing secret are in that answer and
// nowhere else), list, read, revoke. A key acts as its own service user (no password, no role, no static token),
// linked to the chosen policy by one directus_access row, so it gets that policy's permissions (decision 0020).
import { randomUUID } from 'node:crypto';
import type { EndpointExtensionContext } from '@directus/types';
import type { Request, Router } from 'express';
import type { SecurityStore } from '../security/store.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidPayloadError,
  NotFoundError,
} from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { createKeyBody, keyParams, listKeysQuery } from './core/contract.js';
import { mintKey, signingSecret } from './core/key.js';
import { viewOf, type ApiKeyStore } from './store.js';

export interface ApiKeyRoutesInput {
  context: EndpointExtensionContext;
  store: ApiKeyStore;
  security: Pick<SecurityStore, 'record'>;
  serverSecret: string | null;
  clock?: () => number;
}

/** Authorization before input parsing: a non-admin learns nothing about which ids or bodies are well-formed. */
function requireAdmin(req: Request): string | null {
  if (!req.accountability?.user && !req.accountability?.admin) throw new InvalidCredentialsError();
  if (req.accountability.admin !== true) throw new ForbiddenError();
  return req.accountability.user ?? null;
}

const eventOf = (req: Request) => ({
  ip: req.accountability?.ip ?? null,
  requestId: typeof req.id === 'string' ? req.id : null,
});

export function registerApiKeyRoutes(router: Router, input: ApiKeyRoutesInput): void {
  const { context, store, security, serverSecret, clock = Date.now } = input;
  const { services, database } = context;
  const logger = context.logger.child({ capability: 'api-keys' });

  router.post(
    '/v1/api-keys',
    route(async (req, res) => {
      const admin = requireAdmin(req);
      const body = parseInput(createKeyBody, req.body ?? {}, 'body');
      const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= clock())
        throw new InvalidPayloadError({ issues: [{ path: 'expires_at', message: 'must be in the future' }] });
      const policy = await store.policy(body.policy);
      if (!policy) throw new NotFoundError({ what: 'Policy' });
      if (policy.admin_access === true || policy.admin_access === 'true')
        throw new ConflictError({ reason: 'An API key cannot have an admin policy.' });
      // The signing secret is derived from SECRET: without one set, it would change at every restart.
      if (body.require_signature && !serverSecret)
        throw new ConflictError({ reason: 'Signed keys need the SECRET environment variable to be set.' });

      const minted = mintKey();
      const id = randomUUID();
      const row = await database.transaction(async (trx) => {
        const options = { schema: req.schema!, accountability: req.accountability!, knex: trx };
        const user = (await new services.UsersService(options).createOne({
          first_name: body.name,
          last_name: '(API key)',
          description: `Service user of the API key gw_${minted.prefix}_… (groundwork api-keys).`,
          status: 'active',
          role: null,
        })) as string;
        await new services.AccessService(options).createOne({ user, policy: body.policy });
        return store.insert(
          {
            id,
            name: body.name,
            prefix: minted.prefix,
            secret_hash: minted.secretHash,
            policy: body.policy,
            user_id: user,
            require_signature: body.require_signature,
            expires_at: expiresAt,
            created_by: admin,
          },
          trx,
        );
      });
      await security.record({
        ...eventOf(req),
        type: 'api_key',
        outcome: 'created',
        userId: row.user_id,
        detail: { key_id: row.id, prefix: row.prefix, policy: row.policy, by: admin },
      });
      logger.info({ key: row.id, prefix: row.prefix, by: admin, requestId: req.id }, 'api key created');
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json({
        data: {
          ...viewOf(row, clock()),
          key: minted.key,
          signing_secret: row.require_signature && serverSecret ? signingSecret(serverSecret, row.id) : null,
        },
      });
    }),
  );

  router.get(
    '/v1/api-keys',
    route(async (req, res) => {
      requireAdmin(req);
      parseInput(listKeysQuery, req.query, 'query');
      const now = clock();
      res.json({ data: (await store.list()).map((row) => viewOf(row, now)) });
    }),
  );

  router.get(
    '/v1/api-keys/:id',
    route(async (req, res) => {
      requireAdmin(req);
      const { id } = parseInput(keyParams, req.params, 'params');
      const row = await store.byId(id);
      if (!row) throw new NotFoundError({ what: 'API key' });
      res.json({ data: viewOf(row, clock()) });
    }),
  );

  router.post(
    '/v1/api-keys/:id/revoke',
    route(async (req, res) => {
      const admin = requireAdmin(req);
      const { id } = parseInput(keyParams, req.params, 'params');
      const before = await store.byId(id);
      if (!before) throw new NotFoundError({ what: 'API key' });
      const row = (await store.revoke(id, admin))!;
      if (!before.revoked_at) {
        await security.record({
          ...eventOf(req),
          type: 'api_key',
          outcome: 'revoked',
          userId: row.user_id,
          detail: { key_id: row.id, prefix: row.prefix, by: admin },
        });
        logger.info({ key: row.id, prefix: row.prefix, by: admin, requestId: req.id }, 'api key revoked');
      }
      res.json({ data: viewOf(row, clock()) });
    }),
  );
}

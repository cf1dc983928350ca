// HTTP adapter for user management (BE-301): self-service and admin deactivation. Both end every way the user
// can act: status (login and refresh refuse), sessions (refresh tokens and app sessions), static token, and the
// access tokens already issued (see revocation.ts).
import type { EndpointExtensionContext } from '@directus/types';
import type { Request, Router } from 'express';
import { ConflictError, ForbiddenError, InvalidCredentialsError, NotFoundError } from '../shared/errors.js';
import { clientIp } from '../security/login.js';
import type { SecurityStore } from '../security/store.js';
import { parseInput, route } from '../shared/http.js';
import { deactivateSelfBody, deactivateUserBody, deactivateUserParams, type Deactivation } from './core/contract.js';
import { checkAdminDeactivation, checkSelfDeactivation, type Refusal } from './core/deactivation.js';

type Logger = EndpointExtensionContext['logger'];

function refuse(refusal: Refusal): never {
  if (refusal.refused === 'unauthenticated') throw new InvalidCredentialsError();
  if (refusal.refused === 'conflict') throw new ConflictError({ reason: refusal.reason });
  throw new ForbiddenError();
}

const callerOf = (req: Request) => ({
  user: req.accountability?.user ?? null,
  admin: req.accountability?.admin === true,
});

export function registerUserRoutes(router: Router, context: EndpointExtensionContext, security: SecurityStore): void {
  const { database, services } = context;
  const logger: Logger = context.logger.child({ capability: 'users' });

  async function deactivate(req: Request, id: string, status: Deactivation['status'], asCaller: boolean) {
    // Whether a static token exists, without reading the secret itself.
    const user = (await database('directus_users')
      .where({ id })
      .first('id', database.raw('token is not null as has_token'))) as { id: string; has_token: boolean } | undefined;
    if (!user) throw new NotFoundError({ what: 'User' });
    const [{ count }] = (await database('directus_sessions').where({ user: id }).count({ count: '*' })) as [
      { count: string | number },
    ];
    const users = new services.UsersService({
      schema: req.schema!,
      // Admins act with their own accountability. A user deactivating themself cannot write `status` or `token`
      // (their permissions leave those out on purpose): this route is that one change, after the password check.
      accountability: asCaller ? (req.accountability ?? null) : null,
    });
    // Directus deletes the user's sessions itself when status leaves `active` (UsersService.updateMany).
    await users.updateOne(id, { status, token: null });
    // Belt and braces for sessions created between the count and the update.
    await database('directus_sessions').where({ user: id }).delete();
    const result: Deactivation = {
      id,
      status,
      sessions_revoked: Number(count),
      static_token_revoked: user.has_token,
    };
    logger.info({ user: id, status, by: req.accountability?.user, requestId: req.id }, 'user deactivated');
    await security.record({
      type: 'token',
      outcome: 'revoked',
      actorId: req.accountability?.user ?? null,
      userId: id,
      ip: clientIp(req),
      requestId: typeof req.id === 'string' ? req.id : null,
      detail: { reason: 'deactivation', status, sessions: Number(count), static_token: user.has_token },
    });
    return result;
  }

  router.post(
    '/v1/users/me/deactivate',
    route(async (req, res) => {
      const refusal = checkSelfDeactivation(callerOf(req));
      if (refusal) refuse(refusal);
      const { password } = parseInput(deactivateSelfBody, req.body, 'body');
      const id = req.accountability!.user!;
      // Throws Directus's 401 INVALID_CREDENTIALS on a wrong password.
      await new services.AuthenticationService({
        schema: req.schema!,
        accountability: req.accountability!,
      }).verifyPassword(id, password);
      res.json({ data: await deactivate(req, id, 'archived', false) });
    }),
  );

  router.post(
    '/v1/users/:id/deactivate',
    route(async (req, res) => {
      // Authorization before input parsing: a non-admin learns nothing about which ids are well-formed.
      const caller = callerOf(req);
      const early = checkAdminDeactivation(caller, null);
      if (early) refuse(early);
      const { id } = parseInput(deactivateUserParams, req.params, 'params');
      const refusal = checkAdminDeactivation(caller, id);
      if (refusal) refuse(refusal);
      const { status } = parseInput(deactivateUserBody, req.body ?? {}, 'body');
      res.json({ data: await deactivate(req, id, status, true) });
    }),
  );
}

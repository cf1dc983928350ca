// Adapters that turn what happens into security events (decision 0019): Directus's action hooks for access changes
// (roles, policies, permissions, access) and users' role, policies, status, TOTP and password; middlewares for
// denials on /groundwork routes, logouts and password resets, which Directus emits no event for. Each reads the
// caller from the accountability and the request id from the request scope; the mapping is core/events.ts.
import type { Accountability, RegisterFunctions } from '@directus/types';
import type { Application, NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { currentRequest } from '../shared/request-scope.js';
import {
  accessChangeEvent,
  ACCESS_SCOPES,
  denialEvent,
  passwordResetOutcome,
  resetTokenEmail,
  userChangeEvents,
  type AccessScope,
  type ActionMeta,
  type Caller,
  type SecurityEvent,
} from './core/events.js';
import { accountKey } from './core/tokens.js';
import { clientIp } from './login.js';
import type { SecurityStore } from './store.js';

type Log = (what: string) => (error: unknown) => void;

const plainIp = (ip: string | null | undefined) => (ip?.startsWith('::ffff:') ? ip.slice(7) : (ip ?? null));

/** The caller of a hook: the accountability's user, its IP, else the request's. */
export function callerOf(accountability: Partial<Accountability> | null | undefined): Caller {
  return { user: accountability?.user ?? null, ip: plainIp(accountability?.ip) ?? currentRequest()?.ip ?? null };
}

const requestIdOf = (req?: Request): string | null =>
  typeof req?.id === 'string' ? req.id : (currentRequest()?.requestId ?? null);

async function userIdByEmail(database: Knex, email: string): Promise<string | null> {
  const row = (await database('directus_users').whereRaw('lower(email) = ?', [email.toLowerCase()]).first('id')) as
    | { id: string }
    | undefined;
  return row?.id ?? null;
}

export function recordSecurityEvents(
  { action }: Pick<RegisterFunctions, 'action'>,
  deps: { store: SecurityStore; log: Log },
): void {
  const { store, log } = deps;
  const save = (events: SecurityEvent[]) => {
    for (const event of events) store.record(event).catch(log(`could not record a ${event.type} event`));
  };
  type HookContext = { accountability?: Accountability | null };

  for (const scope of Object.keys(ACCESS_SCOPES) as AccessScope[]) {
    for (const verb of ['create', 'update', 'delete'] as const) {
      action(`${scope}.${verb}`, (meta, context) =>
        save([
          accessChangeEvent(
            scope,
            verb,
            meta as ActionMeta,
            callerOf((context as HookContext).accountability),
            requestIdOf(),
          ),
        ]),
      );
    }
  }
  for (const verb of ['update', 'delete'] as const) {
    action(`users.${verb}`, (meta, context) =>
      save(
        userChangeEvents(
          verb,
          meta as ActionMeta,
          callerOf((context as HookContext).accountability),
          requestIdOf(),
        ).filter((event) => !(event.userId && currentRequest()?.erasedUsers?.has(event.userId))),
      ),
    );
  }
}

/** Middlewares mounted before Directus's routes (routes.before). They only listen for the answer. */
export function securityEventRoutes(
  app: Application,
  deps: { store: SecurityStore; database: Knex; env: Record<string, unknown>; log: Log },
) {
  const { store, database, env, log } = deps;
  const caller = (req: Request): Caller => ({ user: req.accountability?.user ?? null, ip: clientIp(req) });

  // 401 and 403 answered on our routes: who was refused what.
  app.use('/groundwork', (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const event = denialEvent({
        status: res.statusCode,
        method: req.method,
        path: req.originalUrl,
        caller: caller(req),
        requestId: requestIdOf(req),
      });
      if (event) store.record(event).catch(log('could not record a denial'));
    });
    next();
  });

  // Logout ends a session: the session's user is read before Directus deletes it (refresh token in the body, the
  // refresh cookie, or the session cookie, whose JWT names the session).
  const refreshCookie = String(env['REFRESH_TOKEN_COOKIE_NAME'] ?? 'directus_refresh_token');
  const sessionCookie = String(env['SESSION_COOKIE_NAME'] ?? 'directus_session_token');
  app.post('/auth/logout', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const cookies = (req.cookies ?? {}) as Record<string, unknown>;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const sessionJwt = typeof cookies[sessionCookie] === 'string' ? (cookies[sessionCookie] as string) : null;
      const session =
        (typeof body['refresh_token'] === 'string' ? body['refresh_token'] : null) ??
        (typeof cookies[refreshCookie] === 'string' ? (cookies[refreshCookie] as string) : null) ??
        sessionClaim(sessionJwt);
      const row = session
        ? ((await database('directus_sessions').where({ token: session }).first('user')) as
            | { user: string | null }
            | undefined)
        : undefined;
      const userId = row?.user ?? req.accountability?.user ?? null;
      res.on('finish', () => {
        if (res.statusCode >= 300) return;
        store
          .record({
            type: 'token',
            outcome: 'logout',
            actorId: userId,
            userId,
            ip: clientIp(req),
            requestId: requestIdOf(req),
          })
          .catch(log('could not record a logout'));
      });
      next();
    } catch (error) {
      next(error);
    }
  });

  // Password reset request: Directus answers 204 whether or not the address has an account (no enumeration); the
  // event knows which, by id only.
  app.post('/auth/password/request', (req: Request, res: Response, next: NextFunction) => {
    const email = (req.body as Record<string, unknown> | undefined)?.['email'];
    res.on('finish', () => {
      if (typeof email !== 'string' || email.length === 0 || email.length > 1024) return;
      if (res.statusCode >= 500) return;
      const outcome = res.statusCode < 300 ? 'requested' : 'refused';
      void userIdByEmail(database, email)
        .then((userId) =>
          store.record({
            type: 'password_reset',
            outcome,
            actorId: req.accountability?.user ?? null,
            userId,
            accountKey: accountKey(email),
            ip: clientIp(req),
            requestId: requestIdOf(req),
          }),
        )
        .catch(log('could not record a password reset request'));
    });
    next();
  });

  // Password reset completion: whom it was for is read from the token once Directus has accepted it.
  app.post('/auth/password/reset', (req: Request, res: Response, next: NextFunction) => {
    const token = (req.body as Record<string, unknown> | undefined)?.['token'];
    res.on('finish', () => {
      const outcome = passwordResetOutcome(res.statusCode);
      if (!outcome) return;
      const email = outcome === 'completed' ? resetTokenEmail(token) : null;
      void (email ? userIdByEmail(database, email) : Promise.resolve(null))
        .then((userId) =>
          store.record({
            type: 'password_reset',
            outcome,
            actorId: req.accountability?.user ?? null,
            userId,
            ip: clientIp(req),
            requestId: requestIdOf(req),
            detail: { status: res.statusCode },
          }),
        )
        .catch(log('could not record a password reset'));
    });
    next();
  });
}

/** The session id inside Directus's session cookie (a JWT with a `session` claim), read without verifying: it is only a key to look up. */
function sessionClaim(jwt: string | null): string | null {
  const part = jwt?.split('.')[1];
  if (!part) return null;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof claims['session'] === 'string' ? claims['session'] : null;
  } catch {
    return null;
  }
}

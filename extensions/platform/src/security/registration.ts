// Adapters for public registration (decision 0013):
// - the users.create filter: an account waiting for its mailbox to be verified holds no usable password, so a
//   password chosen by whoever registered first can never become active (issue 10, finding 1);
// - GET /users/register/verify-email (Directus's own link, taken over here): activates the account, then sends
//   the browser to the set-password page with a reset token only the mailbox owner's browser ever sees;
// - POST /users/register (taken over): the same 204 after the same time for new, pending, existing and refused
//   addresses; what happened goes by mail to the address (finding 3).
import { isDirectusError } from '@directus/errors';
import type { HookExtensionContext } from '@directus/types';
import type { Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ForbiddenError, InvalidPayloadError, RequestsExceededError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import {
  existingAccountMail,
  isUrlAllowed,
  refusedRegistrationMail,
  registerBody,
  registrationPath,
  stallUntil,
  unusablePassword,
  type Mail,
} from './core/registration.js';
import { retryAfterSeconds, type ThrottlePolicy } from './core/throttle.js';
import { accountKey, clientKey, passwordResetToken } from './core/tokens.js';
import { clientIp } from './login.js';
import type { SecurityStore } from './store.js';

/** How long the set-password link made at verification works: the owner is at their browser right then. */
const SET_PASSWORD_TTL_SECONDS = 3600;

type Accountability = { admin?: boolean } | null | undefined;

/** users.create: a public sign-up waiting for verification keeps no password (the owner sets one after verifying). */
export function dropUnverifiedPassword() {
  return (payload: unknown, _meta: unknown, context: { accountability?: Accountability }): unknown => {
    const user = payload as Record<string, unknown>;
    if ((context.accountability === null || context.accountability === undefined) && user['status'] === 'unverified') {
      return { ...user, password: null };
    }
    return payload;
  };
}

const verifyQuery = z.object({ token: z.string().min(1).max(4096), reset_url: z.url().max(2048).optional() });

interface Deps {
  context: HookExtensionContext;
  store: SecurityStore;
  registrationPolicy: ThrottlePolicy | null;
  log: (what: string) => (error: unknown) => void;
}

export function registrationRoutes({ context, store, registrationPolicy, log }: Deps) {
  const { database, env, services } = context;
  const publicUrl = String(env['PUBLIC_URL'] ?? '').replace(/\/$/, '');
  const registerStallMs = Number(env['REGISTER_STALL_TIME'] ?? 750);
  // Directus's registerUser stalls REGISTER_STALL_TIME from its own start; twice that leaves the rest of our
  // work (look-ups, the create) room to finish inside the minimum on every path.
  const minimumMs = 2 * registerStallMs;

  const requestId = (req: Request) => (typeof req.id === 'string' ? req.id : null);

  async function sendMail(schema: unknown, to: string, mail: Mail): Promise<void> {
    const mailer = new services.MailService({ schema, knex: database } as never);
    await mailer.send({ to, subject: mail.subject, html: mail.html, text: mail.text } as never);
  }

  const verify = route(async (req: Request, res: Response) => {
    const query = parseInput(verifyQuery, req.query, 'query');
    if (query.reset_url && !isUrlAllowed(query.reset_url, env['PASSWORD_RESET_URL_ALLOW_LIST'])) {
      throw new InvalidPayloadError({
        issues: [{ path: 'reset_url', message: 'is not in PASSWORD_RESET_URL_ALLOW_LIST' }],
      });
    }
    const user = await database.transaction(async (trx) => {
      // Without accountability like Directus's own verify route: the signed token is the credential.
      const users = new services.UsersService({ knex: trx, schema: req.schema, accountability: null } as never);
      const id = (await users.verifyRegistration(query.token)) as string;
      // An account registered before this rule may still hold the registrant's password: it is nobody's to keep.
      await trx('directus_users').where({ id }).update({ password: null });
      return (await trx('directus_users').where({ id }).first('id', 'email', 'password')) as {
        id: string;
        email: string;
        password: string | null;
      };
    });
    const token = passwordResetToken(
      {
        email: user.email,
        password: user.password,
        secret: String(env['SECRET']),
        ttlSeconds: SET_PASSWORD_TTL_SECONDS,
      },
      Date.now(),
    );
    store
      .record({
        type: 'registration',
        outcome: 'verified',
        userId: user.id,
        accountKey: accountKey(user.email),
        ip: clientIp(req),
        requestId: requestId(req),
      })
      .catch(log('could not record a verification'));
    const target = new URL(query.reset_url ?? `${publicUrl}/admin/reset-password`);
    target.searchParams.set('token', token);
    res.redirect(303, target.toString());
  });

  const register = route(async (req: Request, res: Response) => {
    const started = performance.now();
    const body = parseInput(registerBody, req.body, 'body');
    const settings = (await database('directus_settings').first(
      'public_registration',
      'public_registration_verify_email',
      'project_name',
    )) as
      | { public_registration?: boolean; public_registration_verify_email?: boolean; project_name?: string }
      | undefined;
    // Everything decided before the address is looked up answers the same for every address.
    if (!settings?.public_registration) throw new ForbiddenError();
    if (!settings.public_registration_verify_email) {
      throw new ForbiddenError(); // without verification nobody proves the mailbox: refused (decision 0013)
    }
    if (body.verification_url && !isUrlAllowed(body.verification_url, env['USER_REGISTER_URL_ALLOW_LIST'])) {
      throw new InvalidPayloadError({
        issues: [{ path: 'verification_url', message: 'is not in USER_REGISTER_URL_ALLOW_LIST' }],
      });
    }
    const ip = clientIp(req);
    if (registrationPolicy) {
      const decision = await store.attempt([{ key: `register:client:${clientKey(ip)}`, policy: registrationPolicy }]);
      if (!decision.admitted) {
        const seconds = retryAfterSeconds(decision.retryAfterMs);
        res.setHeader('Retry-After', String(seconds));
        throw new RequestsExceededError({ retryAfterSeconds: seconds });
      }
    }

    const project = settings.project_name ?? 'Directus';
    const existing = (await database('directus_users')
      .whereRaw('lower(email) = ?', [body.email.toLowerCase()])
      .first('id', 'status')) as { id: string; status: string } | undefined;
    let outcome: string;
    let detail: Record<string, unknown> = {};
    let mail: Mail | null = null;
    if (registrationPath(existing?.status ?? null) === 'existing_account') {
      outcome = 'existing_account';
      mail = existingAccountMail(project, 'use "Forgot password" on the sign-in page, or POST /auth/password/request.');
    } else {
      try {
        const users = new services.UsersService({ schema: req.schema, accountability: null } as never);
        await users.registerUser({
          email: body.email,
          password: unusablePassword(),
          ...(body.first_name !== undefined ? { first_name: body.first_name } : {}),
          ...(body.last_name !== undefined ? { last_name: body.last_name } : {}),
          ...(body.verification_url !== undefined ? { verification_url: body.verification_url } : {}),
        });
        outcome = existing ? 'verification_resent' : 'verification_sent';
      } catch (error) {
        // A refusal (the domain's rules, Directus's email filter) is for the mailbox owner to read, not the caller.
        if (!isDirectusError(error) || (error as { status: number }).status >= 500) throw error;
        outcome = 'refused';
        detail = { code: (error as { code: string }).code };
        mail = refusedRegistrationMail(project, (error as Error).message);
      }
    }
    if (mail) sendMail(req.schema, body.email, mail).catch(log('could not send a registration mail'));
    store
      .record({
        type: 'registration',
        outcome,
        userId: existing?.id ?? null,
        accountKey: accountKey(body.email),
        ip,
        requestId: requestId(req),
        detail,
      })
      .catch(log('could not record a registration'));
    await stallUntil(minimumMs, started, () => performance.now());
    res.status(204).end();
  });

  return { verify, register };
}

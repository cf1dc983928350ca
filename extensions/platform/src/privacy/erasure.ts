// HTTP adapter for erasure (BE-301, decision 0021): POST /groundwork/v1/users/me/erasure (the person, with their
// password and, when on, a TOTP code) and POST /groundwork/v1/users/:id/erasure (an admin, on request, with a
// reason). One transaction: each registered domain anonymises its part, the platform its own, the files go (rows,
// then bytes, last), the account is deleted. Then a security event records it without the person's id.
import type { EndpointExtensionContext } from '@directus/types';
import type { Request, Router } from 'express';
import { retryAfterSeconds, type ThrottlePolicy } from '../security/core/throttle.js';
import { securityStore } from '../security/store.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidOtpError,
  NotFoundError,
  RequestsExceededError,
} from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { currentRequest } from '../shared/request-scope.js';
import { currentAccess } from '../users/core/current-access.js';
import { createUsersStore } from '../users/store.js';
import {
  auditDetail,
  checkAdminErasure,
  checkLastAdmin,
  checkSelfErasure,
  eraseSelfBody,
  eraseUserBody,
  eraseUserParams,
  erasureThrottleKey,
  identifiersOf,
  sumCounts,
  type DomainErasure,
  type ErasureRefusal,
} from './core/erasure.js';
import type { PlatformPersonalData } from './routes.js';
import { erasePlatformData, erasureFacts, otherActiveAdmins } from './store.js';

type Context = Pick<EndpointExtensionContext, 'database' | 'services' | 'logger'>;

const EVENT = 'privacy.erasure';

function refuse(refusal: ErasureRefusal): never {
  if (refusal.refused === 'unauthenticated') throw new InvalidCredentialsError();
  if (refusal.refused === 'conflict') throw new ConflictError({ reason: refusal.reason });
  throw new ForbiddenError();
}

const callerOf = (req: Request) => ({
  user: req.accountability?.user ?? null,
  admin: req.accountability?.admin === true,
});
const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : null);

/**
 * `throttle`: password and code guesses through this route count like login attempts (the login throttle's
 * per-client policy, on a key of the account), so a stolen token cannot try passwords here without limit.
 */
export function registerErasureRoutes(
  router: Router,
  context: Context,
  registry: PlatformPersonalData,
  throttle: ThrottlePolicy | null,
): void {
  const { database, services } = context;
  const logger = context.logger.child({ capability: 'privacy' });
  const security = securityStore(database);
  const users = createUsersStore(database);

  /** The person as erasure needs them: names for the redaction, admin and app access (staff) as of now. */
  async function subjectOf(id: string) {
    const row = (await database('directus_users')
      .where({ id })
      .first('id', 'email', 'first_name', 'last_name', 'status', 'role')) as
      | {
          id: string;
          email: string | null;
          first_name: string | null;
          last_name: string | null;
          status: string;
          role: string | null;
        }
      | undefined;
    if (!row) return null;
    const facts = (await users.accessFacts([id])).get(id);
    const access = facts ? currentAccess(facts.user, facts.roles, facts.rows, null) : { admin: false, app: false };
    return { row, admin: access.admin, staff: access.app };
  }

  async function erase(req: Request, id: string, by: 'self' | 'admin', reason: string | null) {
    const subject = await subjectOf(id);
    if (!subject) throw new NotFoundError({ what: 'User' });
    const lastAdmin = checkLastAdmin(subject, await otherActiveAdmins(database, id));
    if (lastAdmin) refuse(lastAdmin);
    const identifiers = identifiersOf(subject.row);
    const { row: user, staff } = subject;
    const started = { by, actor: req.accountability?.user ?? null, staff, reason, identifiers };
    try {
      const counts = await database.transaction(async (trx) => {
        const domains: DomainErasure[] = [];
        const domainCounts: Record<string, number>[] = [];
        for (const source of registry.sources()) {
          const part = await source.erase({ user, identifiers, staff, trx });
          domains.push(part);
          domainCounts.push(part.counts);
        }
        const facts = await erasureFacts(trx, id);
        const platform = await erasePlatformData(trx, { identifiers, staff, domains, facts });
        // Directus's own user delete (no accountability: the caller may not delete users; nothing of it is
        // recorded in activity): it clears the references Directus knows of, cascades sessions, access rows,
        // presets and preferences, refuses the last admin once more, and tells every listener (users.delete).
        const schema = req.schema!;
        // The users.delete action still runs (caches forget the account), but its security event would name the
        // erased id after the scrub above: the privacy.erasure entry below is the record of this deletion.
        const scope = currentRequest();
        if (scope) (scope.erasedUsers ??= new Set()).add(id);
        await new services.UsersService({ knex: trx, schema, accountability: null }).deleteOne(id);
        // Last: rows and bytes. If the commit fails after this, the account is still there and erasure can be
        // run again (files whose bytes are gone are deleted without complaint).
        if (platform.removeFiles.length > 0)
          await new services.FilesService({ knex: trx, schema, accountability: null }).deleteMany(platform.removeFiles);
        const counts = sumCounts(...domainCounts, platform.counts, {
          files_deleted: platform.removeFiles.length,
          accounts_deleted: 1,
        });
        // In the transaction: an erasure and its audit entry commit together or not at all.
        await securityStore(trx).record({
          type: EVENT,
          outcome: 'erased',
          // The admin who erased on request; nobody for self-erasure (the actor was the person).
          actorId: by === 'admin' ? (req.accountability?.user ?? null) : null,
          // Admin's IP only: for self-erasure the client is the person.
          ip: by === 'admin' ? (req.accountability?.ip ?? null) : null,
          requestId: requestIdOf(req),
          detail: auditDetail({ ...started, counts }),
        });
        return counts;
      });
      logger.info({ by, requestId: req.id }, 'privacy: account erased');
      return counts;
    } catch (error) {
      await security
        .record({
          type: EVENT,
          outcome: 'failed',
          userId: id,
          requestId: requestIdOf(req),
          detail: auditDetail({ ...started, counts: {} }),
        })
        .catch(() => undefined);
      throw error;
    }
  }

  router.post(
    '/v1/users/me/erasure',
    route(async (req, res) => {
      const refusal = checkSelfErasure(callerOf(req));
      if (refusal) refuse(refusal);
      const { password, otp } = parseInput(eraseSelfBody, req.body ?? {}, 'body');
      const id = req.accountability!.user!;
      const refused = (reason: string) =>
        security.record({
          type: EVENT,
          outcome: 'refused',
          userId: id,
          requestId: requestIdOf(req),
          detail: { by: 'self', reason },
        });
      // A stolen access token alone erases nobody: the password (Directus's 401 INVALID_CREDENTIALS when wrong) and,
      // where TOTP is on, a current code.
      const schema = req.schema!;
      const throttleKey = erasureThrottleKey(id);
      if (throttle) {
        const admission = await security.attempt([{ key: throttleKey, policy: throttle }]);
        if (!admission.admitted) {
          const seconds = retryAfterSeconds(admission.retryAfterMs);
          res.setHeader('Retry-After', String(seconds));
          await refused('throttled');
          throw new RequestsExceededError({ retryAfterSeconds: seconds });
        }
      }
      try {
        await new services.AuthenticationService({ schema, accountability: req.accountability! }).verifyPassword(
          id,
          password,
        );
      } catch (error) {
        await refused('password');
        throw error;
      }
      const tfa = (await database('directus_users')
        .where({ id })
        .first(database.raw('tfa_secret is not null as tfa_on'))) as { tfa_on: boolean } | undefined;
      if (tfa?.tfa_on) {
        const valid = otp ? await new services.TFAService({ schema, knex: database }).verifyOTP(id, otp) : false;
        if (!valid) {
          await refused('otp');
          throw new InvalidOtpError();
        }
      }
      await security.reset([throttleKey]);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ data: { erased: true, counts: await erase(req, id, 'self', null) } });
    }),
  );

  router.post(
    '/v1/users/:id/erasure',
    route(async (req, res) => {
      // Authorization before input parsing: a non-admin learns nothing about which ids are well-formed.
      const caller = callerOf(req);
      const early = checkAdminErasure(caller, null);
      if (early) refuse(early);
      const { id } = parseInput(eraseUserParams, req.params, 'params');
      const refusal = checkAdminErasure(caller, id);
      if (refusal) refuse(refusal);
      const { reason } = parseInput(eraseUserBody, req.body ?? {}, 'body');
      res.setHeader('Cache-Control', 'no-store');
      res.json({ data: { erased: true, counts: await erase(req, id, 'admin', reason) } });
    }),
  );
}

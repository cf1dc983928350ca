// Adapter for core/shares.ts.
// - Filters on shares.create and shares.update (every path: REST, GraphQL, batch), which run before Directus's
//   permission checks, so the refusal does not depend on what the permissions grant (CVE-2026-129239).
// - With the response cache on (CVE-2026-61836): no share is created, a link's sign-in (POST /shares/auth, the only
//   way in for a link) is refused, and a boot ends the sessions links opened while it was off (their refresh would
//   otherwise keep them reading through the cache for up to REFRESH_TOKEN_TTL).
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, ForbiddenWithReasonError } from '../shared/errors.js';
import { SHARES_OFF_WITH_CACHE, shareLoginAllowed, shareWriteRefusal, type ShareWrite } from './core/shares.js';

interface Context {
  accountability?: { user?: string | null; admin?: boolean } | null;
}

export function registerShareRules({ init, filter }: RegisterFunctions, context: HookExtensionContext): void {
  const { env, database } = context;
  const logger = context.logger.child({ capability: 'advisories' });
  const responseCache = env['CACHE_ENABLED'] === true || env['CACHE_ENABLED'] === 'true';

  const refuse = (write: ShareWrite) => (payload: unknown, meta: Record<string, unknown>, ctx: Context) => {
    const accountability = ctx.accountability ?? null;
    const caller = accountability ? { user: accountability.user ?? null, admin: accountability.admin === true } : null;
    const refusal = shareWriteRefusal(caller, write, responseCache);
    if (refusal === null) return payload;
    if (refusal === 'response-cache') {
      logger.warn({ user: caller?.user ?? null, event: meta.event }, 'share refused: the response cache is on');
      throw new ForbiddenWithReasonError({ reason: SHARES_OFF_WITH_CACHE });
    }
    logger.warn({ user: caller?.user ?? null, event: meta.event }, 'share write refused (CVE-2026-129239)');
    throw new ForbiddenError();
  };
  filter('shares.create', refuse('create'));
  filter('shares.update', refuse('update'));

  if (shareLoginAllowed(responseCache)) return;
  init('middlewares.after', ({ app }) =>
    app.post('/shares/auth', (_req: Request, _res: Response, next: NextFunction) =>
      next(new ForbiddenWithReasonError({ reason: SHARES_OFF_WITH_CACHE })),
    ),
  );
  init('app.after', async () => {
    try {
      const ended = await database('directus_sessions').whereNotNull('share').delete();
      if (ended > 0) logger.warn({ sessions: ended }, 'ended the sessions of share links: the response cache is on');
    } catch (error) {
      logger.error({ err: error }, 'could not end the sessions of share links');
    }
  });
}

// HTTP adapter for the personal-data export (BE-301): GET /groundwork/v1/users/me/export (documented), and the same
// handler at /users/me/export, mounted by the hook before Directus's users router (which has no such route).
import type { EndpointExtensionContext } from '@directus/types';
import type { Request, RequestHandler, Router } from 'express';
import type { ThrottlePolicy } from '../security/core/throttle.js';
import { InvalidCredentialsError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import type { Knex } from 'knex';
import type { ErasureRequest } from './core/erasure.js';
import { assembleExport, exportQuery, type PersonalDataRegistry } from './core/export.js';
import { registerErasureRoutes } from './erasure.js';
import { platformSections } from './store.js';

type Context = Pick<EndpointExtensionContext, 'database' | 'services' | 'logger'>;

/** What a domain's source receives: the caller, and services to read with their accountability. */
export interface PersonalDataRequest {
  user: string;
  req: Request;
  context: Context;
}

export type PlatformPersonalData = PersonalDataRegistry<PersonalDataRequest, ErasureRequest<Knex>>;

export function exportHandler(context: Context, registry: PlatformPersonalData): RequestHandler {
  const logger = context.logger.child({ capability: 'privacy' });
  return route(async (req, res) => {
    const user = req.accountability?.user;
    if (!user) throw new InvalidCredentialsError();
    parseInput(exportQuery, req.query, 'query');
    const platform = await platformSections(context.database, user);
    if (!platform) throw new InvalidCredentialsError();
    const data = await assembleExport({
      exportedAt: new Date(),
      platform,
      sources: registry.sources(),
      request: { user, req, context },
    });
    logger.info({ user, requestId: req.id }, 'personal data exported');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ data });
  });
}

export function registerPrivacyRoutes(
  router: Router,
  context: Context,
  registry: PlatformPersonalData,
  erasureThrottle: ThrottlePolicy | null,
): void {
  router.get('/v1/users/me/export', exportHandler(context, registry));
  registerErasureRoutes(router, context, registry, erasureThrottle);
}

// Sets the hardening headers (core/headers.ts) on every response, first thing, so Directus's routes, /assets,
// the admin app and our endpoints all carry them; a route that sets one of them itself still wins.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import type { PlatformEnv } from '../shared/env.js';
import { securityHeaders } from './core/headers.js';

export function registerSecurityHeaders(
  { init }: RegisterFunctions,
  _context: HookExtensionContext,
  config: PlatformEnv,
): void {
  const headers = Object.entries(securityHeaders(config.GROUNDWORK_CROSS_ORIGIN_RESOURCE_POLICY));
  init('app.before', ({ app }) => {
    app.use((_req: Request, res: Response, next: NextFunction) => {
      for (const [name, value] of headers) res.setHeader(name, value);
      next();
    });
  });
}

// GET /groundwork/v1/openapi.json: Directus's OpenAPI document for the caller (it lists what their permissions
// allow) plus our endpoints. `npm run sdk` saves the admin's view as schema/openapi.json.
import type { EndpointExtensionContext } from '@directus/types';
import type { Router } from 'express';
import { route } from '../shared/http.js';
import { readRunningVersions } from '../shared/versions.js';
import { buildApiDocument, type RouteDoc } from './core/document.js';

export function registerOpenApiRoute(router: Router, context: EndpointExtensionContext, routeDocs: RouteDoc[]): void {
  const version = readRunningVersions().groundwork;
  const publicUrl = String(context.env.PUBLIC_URL ?? '/');
  router.get(
    '/v1/openapi.json',
    route(async (req, res) => {
      // The caller's accountability: the document shows only the collections and fields they may read.
      // Directus's schema middleware runs before endpoint routers, so req.schema is set here.
      const service = new context.services.SpecificationService({
        accountability: req.accountability ?? null,
        schema: req.schema!,
      });
      const directus = (await service.oas.generate(req.headers.host)) as unknown as Record<string, unknown>;
      const serverUrl = publicUrl === '/' ? `${req.protocol}://${req.headers.host}` : publicUrl.replace(/\/$/, '');
      res.json(buildApiDocument(directus, routeDocs, { version, serverUrl }));
    }),
  );
}

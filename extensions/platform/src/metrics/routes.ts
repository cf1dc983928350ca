// HTTP adapter for metrics: GET /groundwork/v1/metrics in Prometheus's text format, and the request histogram.
// Scrapes with the METRICS_TOKEN bearer are answered on the app before Directus's middleware (like the health
// probes, decision 0032): a scraper polling every 15 s should not count against the rate limiter, nor pay for
// authentication and schema loading, and it must still get figures while the database is slow. Any other caller
// falls through to Directus's middleware and the endpoint's route, where only an admin is served (a wrong token is
// refused by Directus's authentication, and counts against the rate limiter like any bad credential).
// Without METRICS_TOKEN nothing here is mounted or measured, and the route answers 404.
import type { Application, NextFunction, Request, Response, Router } from 'express';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import { route } from '../shared/http.js';
import type { Metrics } from './core/registry.js';
import { methodLabel, routeTemplate, statusClass } from './core/route-template.js';
import { bearerToken, tokenMatches } from './core/token.js';

export const METRICS_PATH = '/groundwork/v1/metrics';

async function serve(metrics: Metrics, res: Response): Promise<void> {
  const { contentType, body } = await metrics.scrape();
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', contentType);
  res.status(200).send(body);
}

/** Every request's duration under its route template (never its raw path: see core/route-template.ts). */
export function requestMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      metrics.observeRequest({
        method: methodLabel(req.method),
        route: routeTemplate(req.originalUrl),
        statusClass: statusClass(res.statusCode),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
    next();
  };
}

/** On the app, before Directus's middleware (hook, app.before). */
export function registerMetricsScrapeRoute(app: Application, metrics: Metrics, token: string): void {
  app.use(requestMetrics(metrics));
  app.get(METRICS_PATH, (req: Request, res: Response, next: NextFunction) => {
    // Not the scrape token: Directus authenticates the caller, then the endpoint's route decides.
    if (!tokenMatches(token, bearerToken(req.headers.authorization))) return next();
    serve(metrics, res).catch(next);
  });
}

/** On the endpoint router (after authentication): admins read the same figures with their own token. */
export function registerMetricsAdminRoute(router: Router, metrics: () => Metrics | null): void {
  router.get(
    '/v1/metrics',
    route(async (req, res) => {
      const running = metrics();
      if (!running) throw new NotFoundError({ what: 'Metrics endpoint' });
      if (req.accountability?.admin !== true) throw new ForbiddenError();
      await serve(running, res);
    }),
  );
}

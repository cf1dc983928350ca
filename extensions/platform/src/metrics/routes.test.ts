// The metrics adapter without a Directus: who is served, who falls through, and what the request middleware
// records. (tests/integration/metrics.test.ts runs it in a real Directus.)
import { EventEmitter } from 'node:events';
import { describe, expect, it, jest } from '@jest/globals';
import type { Application, Router } from 'express';
import { createMetrics } from './core/registry.js';
import { registerMetricsAdminRoute, registerMetricsScrapeRoute, requestMetrics } from './routes.js';

type Handler = (req: unknown, res: unknown, next: (error?: unknown) => void) => void;

function fakeResponse() {
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    headers: {} as Record<string, string>,
    body: undefined as unknown,
    setHeader(name: string, value: string) {
      res.headers[name] = value;
    },
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    send(body: unknown) {
      res.body = body;
      res.emit('sent');
    },
  });
  return res;
}

async function call(handler: Handler, req: unknown) {
  const res = fakeResponse();
  const outcome = await new Promise<{ next: boolean; error?: unknown }>((resolve) => {
    res.once('sent', () => resolve({ next: false }));
    handler(req, res, (error?: unknown) => resolve({ next: true, error }));
  });
  return { res, ...outcome };
}

const TOKEN = 'a-metrics-token-that-is-long-enough-0123';

describe('registerMetricsScrapeRoute', () => {
  const metrics = createMetrics({ timeoutMs: 100 });
  const handlers: Record<string, Handler> = {};
  const app = {
    use: (handler: Handler) => (handlers.use = handler),
    get: (_path: string, handler: Handler) => (handlers.get = handler),
  } as unknown as Application;
  registerMetricsScrapeRoute(app, metrics, TOKEN);

  it('serves the scrape token', async () => {
    const { res, next } = await call(handlers.get!, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(next).toBe(false);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.body)).toContain('groundwork_http_request_duration_seconds');
  });

  it('leaves every other caller to Directus and the endpoint', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, 'Bearer someone-elses-jwt']) {
      const outcome = await call(handlers.get!, { headers: { authorization } });
      expect(outcome).toMatchObject({ next: true, error: undefined });
    }
  });

  it('records each finished request under its template', async () => {
    const res = fakeResponse();
    const next = jest.fn();
    handlers.use!({ method: 'get', originalUrl: '/items/tickets/42?x=1' }, res, next);
    expect(next).toHaveBeenCalled();
    res.statusCode = 404;
    res.emit('finish');
    const { body } = await metrics.scrape();
    expect(body).toMatch(
      /groundwork_http_request_duration_seconds_count\{method="GET",route="\/items\/:collection\/:id",status_class="4xx"\} 1/,
    );
  });
});

describe('registerMetricsAdminRoute', () => {
  function adminHandler(running: ReturnType<typeof createMetrics> | null): Handler {
    let handler: Handler | undefined;
    const router = { get: (_path: string, h: Handler) => (handler = h) } as unknown as Router;
    registerMetricsAdminRoute(router, () => running);
    return handler!;
  }

  it('is a 404 while metrics are off', async () => {
    const { error } = await call(adminHandler(null), { accountability: { admin: true } });
    expect(error).toMatchObject({ status: 404 });
  });

  it('serves admins only', async () => {
    const handler = adminHandler(createMetrics({ timeoutMs: 100 }));
    expect((await call(handler, { accountability: { admin: false, user: 'u' } })).error).toMatchObject({ status: 403 });
    expect((await call(handler, { accountability: null })).error).toMatchObject({ status: 403 });
    const { res, next } = await call(handler, { accountability: { admin: true } });
    expect(next).toBe(false);
    expect(String(res.body)).toContain('# TYPE');
  });
});

describe('requestMetrics', () => {
  it('folds unknown methods and paths', async () => {
    const metrics = createMetrics({ timeoutMs: 100 });
    const res = fakeResponse();
    requestMetrics(metrics)({ method: 'BREW', originalUrl: '/wp-admin/setup.php' } as never, res as never, () => {});
    res.emit('finish');
    expect((await metrics.scrape()).body).toContain('method="OTHER",route="/other",status_class="2xx"');
  });
});

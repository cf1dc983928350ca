// Adapter for core/redact.ts: Directus's HTTP log (pino-http, installed right after `middlewares.before`) serializes
// the request once, when it builds its per-request child logger, and then sets `req.log`. This middleware shows it
// a redacted URL, query and headers for that moment and puts the real ones back as `req.log` is set, so routing,
// `?access_token=` and the cache still see the request as sent. Directus itself only redacts `access_token`.
// The response's headers are logged through getHeaders(), redacted the same way (a redirect's location, cookies).
import type { NextFunction, Request, Response } from 'express';
import { redactHeaders, redactQuery, redactResponseHeaders, redactUrl } from './core/redact.js';

export function redactRequestLog() {
  return (req: Request, res: Response, next: NextFunction) => {
    const real = { originalUrl: req.originalUrl, query: req.query, headers: req.headers };
    req.originalUrl = redactUrl(real.originalUrl);
    req.query = redactQuery(real.query) as Request['query'];
    req.headers = redactHeaders(real.headers) as Request['headers'];
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => undefined,
      set(value: unknown) {
        Object.assign(req, real);
        Object.defineProperty(req, 'log', { value, writable: true, configurable: true, enumerable: true });
      },
    });
    // pino-http serializes the response with res.getHeaders() when it finishes; Node writes the real headers from
    // its own state, so only the log line sees the redacted copy.
    const getHeaders = res.getHeaders.bind(res);
    res.getHeaders = () => redactResponseHeaders(getHeaders()) as ReturnType<Response['getHeaders']>;
    next();
  };
}

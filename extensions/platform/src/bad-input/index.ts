// Bad input is a 400, never a 500 (docs/architecture.md, "Bad input"). Adapters around the pure rules: a NUL
// byte in the URL, a path that cannot be percent-decoded or a query parameter of a shape Directus cannot take
// (core/query-shape.ts) is refused before any work, and a database "data
// exception" (class 22) is turned into Directus's INVALID_QUERY / INVALID_PAYLOAD where knex reports it, so REST, GraphQL, exports and websockets all
// answer it as a client error without SQL or values in the message. A third: what Node's HTTP parser refuses
// (a URL over 16 KiB) is answered in the same envelope instead of an empty body.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, InvalidParamsError, InvalidPayloadError, InvalidQueryError } from '../shared/errors.js';
import { clientErrorAnswer, rawErrorResponse } from './core/client-error.js';
import { dataExceptionOf, urlHasNulByte } from './core/data-exception.js';
import { nestsDeeperThan, MAX_JSON_DEPTH } from './core/depth.js';
import { filterValueIssues } from './core/filter-values.js';
import { graphqlFilterIssues } from './core/graphql-filters.js';
import { parsed, queryShapeIssues } from './core/query-shape.js';
import { QUERY_EVENTS } from '../shared/query-events.js';
import { isRedisOutageError, isStrayClientError } from './core/stray-rejection.js';
import { pathHasMalformedEncoding } from './core/url.js';

const LINGER_MS = 2000;
const CLIENT_ERROR_CODES = {
  headersTooLarge: ErrorCode.HeadersTooLarge,
  contentTooLarge: ErrorCode.ContentTooLarge,
  requestTimeout: ErrorCode.RequestTimeout,
  badRequest: ErrorCode.BadRequest,
} as const;

interface KnexQueryError {
  code?: unknown;
  [key: string]: unknown;
}

export function registerBadInput({ init, action, filter }: RegisterFunctions, context: HookExtensionContext): void {
  // Every caller, admins and Directus's own reads included: the failure is Directus's, whoever asks.
  for (const event of QUERY_EVENTS)
    filter(event, (query) => {
      const issues = filterValueIssues(query);
      if (issues.length) throw new InvalidQueryError({ issues });
      return query;
    });

  // A listener replaces Node's default answer, so it must also do what that does: answer only when nothing was
  // written yet, then close the socket (the parser cannot go on after an error). Unlike Node's default, the socket
  // is closed a moment after the answer: closing with the rest of the request unread sends a reset, which can reach
  // the client before the answer does (the client then sees no answer at all).
  action('server.start', (meta) => {
    // The parser stays on the socket and reports each later chunk of the refused request as another error.
    const answered = new WeakSet<Duplex>();
    (meta.server as Server).on(
      'clientError',
      (error: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
        if (answered.has(socket)) return;
        if (!socket.writable || socket.bytesWritten || error.code === 'ECONNRESET') return socket.destroy();
        answered.add(socket);
        const answer = clientErrorAnswer(error.code);
        socket.end(rawErrorResponse(answer, CLIENT_ERROR_CODES[answer.kind]));
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
    );
  });

  // knex emits query-error before the query's promise rejects, on the root instance for transactions too; the
  // error object is the one the caller catches, so giving it Directus's error shape changes every answer at once.
  context.database.on('query-error', (error: KnexQueryError, query: { method?: string } | undefined) => {
    if (!error || typeof error !== 'object') return;
    const exception = dataExceptionOf(error.code, query?.method);
    if (!exception) return;
    const issues = [{ path: '', message: exception.reason }];
    const replacement =
      exception.part === 'payload' ? new InvalidPayloadError({ issues }) : new InvalidQueryError({ issues });
    Object.assign(error, {
      sqlState: error.code,
      name: replacement.name,
      code: replacement.code,
      status: replacement.status,
      message: replacement.message,
      extensions: replacement.extensions,
    });
  });

  // A client error Directus rejects without awaiting it, or a Redis command it left unawaited while Redis is down
  // (see core/stray-rejection.ts), must not stop the server; any other unhandled rejection is rethrown, so Node still
  // stops on a real fault. Once per process.
  const KEY = Symbol.for('groundwork.bad-input.stray-rejections');
  const processFlags = process as unknown as Record<symbol, boolean>;
  if (!processFlags[KEY]) {
    processFlags[KEY] = true;
    process.on('unhandledRejection', (reason) => {
      if (isRedisOutageError(reason)) {
        context.logger.warn({ err: reason }, 'Redis is unreachable: a Redis command Directus left unawaited failed');
        return;
      }
      if (!isStrayClientError(reason)) throw reason;
      const { code, message } = reason as { code: string; message?: string };
      context.logger.warn(
        { code, message },
        'a client error Directus left unawaited was kept from stopping the server',
      );
    });
  }

  init('app.before', ({ app }) => {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (urlHasNulByte(req.originalUrl))
        return next(new InvalidQueryError({ issues: [{ path: '', message: 'The URL contains a NUL byte' }] }));
      if (pathHasMalformedEncoding(req.originalUrl))
        return next(
          new InvalidParamsError({
            issues: [{ path: '', message: 'The URL path is not valid percent-encoded UTF-8' }],
          }),
        );
      // Express has parsed the query string by now (its query middleware runs before any app.before handler).
      // The filter values too: some fail in Directus's sanitizeQuery, before the query event (`_some: null`).
      const query = req.query as Record<string, unknown>;
      const issues = queryShapeIssues(query);
      if (!issues.length) issues.push(...filterValueIssues(query));
      if (issues.length) return next(new InvalidQueryError({ issues }));
      next();
    });
  });

  // After Directus's JSON body parser, before any route walks the body.
  const graphqlTokenLimit = Number(context.env['GRAPHQL_QUERY_TOKEN_LIMIT']) || undefined;
  init('middlewares.after', ({ app }) => {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (req.body !== undefined && nestsDeeperThan(req.body))
        return next(
          new InvalidPayloadError({ issues: [{ path: '', message: `Nests deeper than ${MAX_JSON_DEPTH} levels` }] }),
        );
      // GraphQL's filter arguments fail in Directus before the query event (core/graphql-filters.ts).
      if (req.path === '/graphql' || req.path === '/graphql/system') {
        const source = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
        const issues = graphqlFilterIssues(source?.['query'], parsed(source?.['variables']), graphqlTokenLimit);
        if (issues.length) return next(new InvalidQueryError({ issues }));
      }
      next();
    });
  });
}

// Bad input is a 400, never a 500 (docs/architecture.md, "Bad input"). Two adapters around the pure rules:
// a NUL byte in the URL is refused before any work, and a database "data exception" (class 22) is turned into
// Directus's INVALID_QUERY / INVALID_PAYLOAD where knex reports it, so REST, GraphQL, exports and websockets all
// answer it as a client error without SQL or values in the message.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import { InvalidPayloadError, InvalidQueryError } from '../shared/errors.js';
import { dataExceptionOf, urlHasNulByte } from './core/data-exception.js';

interface KnexQueryError {
  code?: unknown;
  [key: string]: unknown;
}

export function registerBadInput({ init }: RegisterFunctions, context: HookExtensionContext): void {
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

  init('app.before', ({ app }) => {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (urlHasNulByte(req.originalUrl))
        return next(new InvalidQueryError({ issues: [{ path: '', message: 'The URL contains a NUL byte' }] }));
      next();
    });
  });
}

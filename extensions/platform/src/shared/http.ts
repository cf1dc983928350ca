// Express glue shared by every endpoint: input parsing with zod and async route handling.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { InvalidParamsError, InvalidPayloadError, InvalidQueryError } from './errors.js';
import { toInputIssues } from './issues.js';

const errorForPart = { query: InvalidQueryError, body: InvalidPayloadError, params: InvalidParamsError } as const;

/** Parses one part of the request, or throws the 400 error for that part with every issue listed. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: keyof typeof errorForPart,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const ErrorForPart = errorForPart[part];
  throw new ErrorForPart({ issues: toInputIssues(result.error) });
}

/** Express 4 does not await handlers: pass rejections to Directus's error handler, which writes the envelope. */
export function route(handler: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(next);
  };
}

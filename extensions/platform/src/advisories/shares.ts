// Adapter for core/shares.ts: filters on shares.create and shares.update (every path: REST, GraphQL, batch), which
// run before Directus's permission checks, so the refusal does not depend on what the permissions grant.
import { ForbiddenError } from '../shared/errors.js';
import { shareWriteAllowed } from './core/shares.js';

interface Logger {
  warn(object: object, message: string): void;
}
interface Context {
  accountability?: { user?: string | null; admin?: boolean } | null;
}

export function refuseShareWrites(logger: Logger) {
  return (payload: unknown, meta: Record<string, unknown>, context: Context) => {
    const accountability = context.accountability ?? null;
    const caller = accountability ? { user: accountability.user ?? null, admin: accountability.admin === true } : null;
    if (shareWriteAllowed(caller)) return payload;
    logger.warn({ user: caller?.user ?? null, event: meta.event }, 'share write refused (CVE-2026-129239)');
    throw new ForbiddenError();
  };
}

// The request a piece of work runs for, across awaits: Directus's action hooks get the accountability but not the
// request, so security events read the request id (and client IP) from here. Set once per request by the platform
// hook's first middleware; one AsyncLocalStorage per process is what it is for.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  ip: string | null;
  /** Accounts this request erases (privacy/erasure.ts): their deletion is recorded as privacy.erasure, unnamed. */
  erasedUsers?: Set<string>;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

export const currentRequest = (): RequestScope | undefined => requestScope.getStore();

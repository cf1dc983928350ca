// Request ids tie a client's report, our logs and Directus's HTTP log line together. Pure.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// Ids from a proxy or client are kept only when they are short and plain, so they cannot forge log lines.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function resolveRequestId(incoming: string | string[] | undefined, generate: () => string = randomUUID): string {
  const candidate = Array.isArray(incoming) ? incoming[0] : incoming;
  return candidate !== undefined && ACCEPTABLE_ID.test(candidate) ? candidate : generate();
}

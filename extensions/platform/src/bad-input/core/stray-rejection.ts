// Directus 11.17.4 sanitizes `deep` sub-queries without awaiting them (sanitize-query.js sanitizeDeep → parse), so
// a sub-query whose filter its parser rejects (`deep={"messages":{"_filter":{"_and":"x"}}}`) becomes an unhandled
// rejection, and Node stops the whole server: one GET took every request down (found by the fuzz). Such a
// rejection carries a Directus client error (status 4xx, a code); only those are kept from stopping the process.

/** True for a Directus client error (status 400-499 and an error code): a rejected request, not a broken server. */
export function isStrayClientError(reason: unknown): boolean {
  if (!reason || typeof reason !== 'object') return false;
  const { status, code } = reason as { status?: unknown; code?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && typeof code === 'string' && code !== '';
}

// Directus 11.17.4 also leaves some Redis calls unawaited (with REDIS set, under load): when Redis is down, ioredis
// fails each queued command after `maxRetriesPerRequest` (20) reconnect attempts, about 10 s, with a
// MaxRetriesPerRequestError, and one of those rejections nobody awaits stopped the server (measured in
// tests/integration/resilience.test.ts). A Redis outage must degrade the cache, not end the process (decision 0034).

/** True for ioredis's "gave up on this command while disconnected" error: Redis is down, the server is not broken. */
export function isRedisOutageError(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  return reason.name === 'MaxRetriesPerRequestError' && /max retries per request/i.test(reason.message);
}

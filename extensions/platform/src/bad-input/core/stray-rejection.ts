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

// What of a request may reach the log: the route and the harmless query parameters, never a value that could be an
// email, a token, a password or a body (ASVS 5.0 V16.2.5). An allow-list, so a parameter added later is redacted.

/** Directus's own censor text (@directus/utils REDACTED_TEXT), so every redacted value reads the same in the log. */
export const REDACTED = '--redacted--';

/** Query parameters that shape a response and carry no user data; `filter`, `search`, `deep`, tokens are not here. */
export const LOGGED_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'fields',
  'limit',
  'offset',
  'page',
  'sort',
  'meta',
  'groupBy',
  'aggregate',
  'export',
  'version',
]);

// A parameter name is kept only when it looks like one (`filter[status][_eq]`); anything else could be data.
const PARAMETER_NAME = /^[A-Za-z0-9_.[\]-]{1,100}$/;
// Header names that carry credentials, whichever scheme brought them (bearer, cookies, API keys, signatures).
const SECRET_HEADER = /auth|cookie|token|key|secret|signature|session|otp|password/i;

function parameterName(name: string): string {
  return PARAMETER_NAME.test(name) ? name : REDACTED;
}

function topLevelName(name: string): string {
  return name.split('[')[0] ?? name;
}

function keptValue(name: string, value: string): string {
  return LOGGED_QUERY_PARAMETERS.has(topLevelName(name)) ? value : REDACTED;
}

/** The path and query of a request URL as it may be logged: every parameter's value redacted unless allow-listed. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const path = url.slice(0, mark);
  const search = url.slice(mark + 1);
  if (search === '') return url;
  let parameters: URLSearchParams;
  try {
    parameters = new URLSearchParams(search);
  } catch {
    return `${path}?${REDACTED}`;
  }
  const parts: string[] = [];
  for (const [name, value] of parameters) {
    const logged = parameterName(name);
    parts.push(`${logged}=${logged === REDACTED ? REDACTED : encodeURIComponent(keptValue(name, value))}`);
  }
  return `${path}?${parts.join('&')}`;
}

/** A parsed query object as it may be logged: allow-listed parameters with their text, everything else redacted. */
export function redactQuery(query: unknown): Record<string, unknown> {
  if (query === null || typeof query !== 'object') return {};
  const logged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    const key = parameterName(name);
    if (key === REDACTED) {
      logged[REDACTED] = REDACTED;
      continue;
    }
    const harmless = LOGGED_QUERY_PARAMETERS.has(name) && (typeof value === 'string' || typeof value === 'number');
    logged[key] = harmless ? value : REDACTED;
  }
  return logged;
}

/** Request headers as they may be logged: credential-carrying headers redacted, the rest kept. */
export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const logged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) logged[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  return logged;
}

/**
 * Response headers as they may be logged: credential-carrying ones (set-cookie included) redacted, and a redirect's
 * `location` with its query values redacted like a request URL (the registration's set-password link carries a
 * reset token there).
 */
export function redactResponseHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const logged = redactHeaders(headers);
  for (const name of Object.keys(logged)) {
    if (/^set-cookie$/i.test(name)) logged[name] = REDACTED;
    else if (/^location$/i.test(name) && typeof logged[name] === 'string') logged[name] = redactUrl(logged[name]);
  }
  return logged;
}

// An address as SMTP servers and drivers quote it in error texts (`<carol@acme.example>`, `carol@acme.example`).
const EMAIL_ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** Text with every email address replaced: error messages from SMTP and database drivers quote them. */
export function redactEmailAddresses(text: string): string {
  return text.replace(EMAIL_ADDRESS, REDACTED);
}

/** An error as it may be logged: its name, code and message and stack with email addresses redacted. */
export function loggableError(error: unknown): { type: string; message: string; stack?: string; code?: unknown } {
  if (!(error instanceof Error)) return { type: typeof error, message: redactEmailAddresses(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: redactEmailAddresses(error.message),
    ...(error.stack ? { stack: redactEmailAddresses(error.stack) } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}

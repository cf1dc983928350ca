// What `npm start` hands Directus. Directus reads .env and lets it win over the process environment
// (@directus/env); `npm start` turns that round: .env first, then what the user set in the environment, so
// `PORT=9000 npm start` does what it says. The child gets the merged values and no .env to read. Pure.

export type Env = Record<string, string | undefined>;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DEFAULT_PORT = '8055';

/**
 * .env, overridden by every variable set in the process environment. A PUBLIC_URL that only .env sets and that is
 * this machine's address on .env's port follows a PORT changed in the environment (otherwise links in mails and
 * the printed admin URL would point at the old port); any other PUBLIC_URL (a proxy, a domain) is left alone.
 */
export function mergeStartEnv(fileEnv: Env, processEnv: Env): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of [fileEnv, processEnv]) {
    for (const [key, value] of Object.entries(source)) if (value !== undefined) merged[key] = value;
  }
  const filePort = fileEnv.PORT ?? DEFAULT_PORT;
  if (processEnv.PUBLIC_URL === undefined && processEnv.PORT !== undefined && processEnv.PORT !== filePort) {
    const followed = followPort(fileEnv.PUBLIC_URL, filePort, processEnv.PORT);
    if (followed) merged.PUBLIC_URL = followed;
  }
  return merged;
}

function followPort(publicUrl: string | undefined, fromPort: string, toPort: string): string | undefined {
  if (!publicUrl) return undefined;
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return undefined;
  }
  if (!LOCAL_HOSTS.has(url.hostname) || url.port !== fromPort) return undefined;
  url.port = toPort;
  // URL adds a trailing slash to a bare origin; keep the user's form.
  return publicUrl.endsWith('/') ? url.toString() : url.toString().replace(/\/$/, '');
}

/** Whether the user chose how mail goes out (EMAIL_TRANSPORT or any EMAIL_SMTP_*); if not, `npm start` captures it. */
export function mailIsConfigured(env: Env): boolean {
  return Object.entries(env).some(
    ([key, value]) =>
      value !== undefined && value !== '' && (key === 'EMAIL_TRANSPORT' || key.startsWith('EMAIL_SMTP_')),
  );
}

// Small HTTP helpers shared by integration tests.
import { expect } from '@jest/globals';
import { authenticator } from 'otplib';
import { harness } from './harness/context.js';

export async function getJson(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown>, text };
}

/** An access token for `email` (POST /auth/login); a refused login fails the test with Directus's answer. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await getJson(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${response.text}`);
  return (response.body.data as { access_token: string }).access_token;
}

/**
 * Sets up TOTP as the person would at their first login (generate a secret with their password, enable it with a
 * code from it) and returns the secret; later logins need `freshOtp(secret)`.
 */
export async function enableTotp(baseUrl: string, person: { email: string; password: string }): Promise<string> {
  const token = await login(baseUrl, person.email, person.password);
  const post = async (route: string, body: unknown) => {
    const response = await getJson(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`POST ${route} answered ${response.status}: ${response.text}`);
    return response.body.data as { secret: string } | undefined;
  };
  const { secret } = (await post('/users/me/tfa/generate', { password: person.password }))!;
  await post('/users/me/tfa/enable', { secret, otp: await freshOtp(secret) });
  return secret;
}

/**
 * Waits, when fewer than `minSecondsLeft` of the current 30-s TOTP window are left, for the next window. Directus
 * accepts only the current window's code, and a loaded machine can spend seconds between making a code and checking it
 * (argon2 runs first; a browser types and submits), so a code made in a window's last moments could arrive in the next.
 */
export async function waitForOtpWindow(minSecondsLeft: number): Promise<void> {
  const secondsLeft = 30 - ((Date.now() / 1000) % 30);
  if (secondsLeft < minSecondsLeft) await new Promise((resolve) => setTimeout(resolve, secondsLeft * 1000 + 300));
}

/** A one-time password from `secret` with at least `minSecondsLeft` of its window left (waitForOtpWindow). */
export async function freshOtp(secret: string, minSecondsLeft = 5): Promise<string> {
  await waitForOtpWindow(minSecondsLeft);
  return authenticator.generate(secret);
}

/** The test admin's access token on the main instance, or on the instance at `baseUrl`. */
export async function adminToken(baseUrl = harness().baseUrl): Promise<string> {
  const { admin } = harness();
  return login(baseUrl, admin.email, admin.password);
}

/** The Directus error envelope with one error of the given code, and nothing internal in the body. */
export function expectErrorEnvelope(response: { body: Record<string, unknown>; text: string }, code: string) {
  expect(response.body).toEqual({
    errors: [expect.objectContaining({ message: expect.any(String), extensions: expect.objectContaining({ code }) })],
  });
  expect(response.text).not.toMatch(/stack|at .+\.js:\d+|node_modules/);
}

/**
 * JSON calls with a bearer token against one Directus. The base URL is read on each call: own instances start in
 * beforeAll, after the module is loaded.
 */
export function bearerClient(baseUrl: () => string) {
  async function api(token: string, method: string, route: string, body?: unknown) {
    return getJson(`${baseUrl()}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  /** The answer's `data`; anything but a 2xx throws with the status and body. */
  async function ok<T = Record<string, unknown>>(token: string, method: string, route: string, body?: unknown) {
    const response = await api(token, method, route, body);
    if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${response.text}`);
    return (response.body as { data: T }).data;
  }
  /** An active user made by `admin` through the API, with a fresh access token from its own login. */
  async function userWithToken(
    admin: string,
    user: { email: string; password: string; role: string; organization?: string | null },
  ): Promise<{ id: string; token: string }> {
    const { id } = await ok<{ id: string }>(admin, 'POST', '/users', { ...user, status: 'active' });
    return { id, token: await login(baseUrl(), user.email, user.password) };
  }
  return { api, ok, userWithToken };
}

/** Polls until the probe gives a truthy value, or throws naming what it waited for. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface MintedApiKey {
  id: string;
  /** The key's service user. */
  user: string;
  key: string;
  signing_secret: string | null;
}

/** An API key minted through the admin route (POST /groundwork/v1/api-keys), scoped to one policy. */
export async function mintApiKey(
  adminBearer: string,
  policy: string,
  options: { name?: string; expires_at?: string | null; require_signature?: boolean } = {},
  baseUrl = harness().baseUrl,
): Promise<MintedApiKey> {
  const response = await getJson(`${baseUrl}/groundwork/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminBearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: options.name ?? `test key ${Math.random().toString(36).slice(2)}`,
      policy,
      ...options,
    }),
  });
  if (response.status !== 201) throw new Error(`minting an API key answered ${response.status}: ${response.text}`);
  return response.body.data as unknown as MintedApiKey;
}

// Small HTTP helpers shared by integration tests.
import { expect } from '@jest/globals';
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

export async function adminToken(baseUrl = harness().baseUrl): Promise<string> {
  const { admin } = harness();
  const response = await getJson(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  expect(response.status).toBe(200);
  return (response.body.data as { access_token: string }).access_token;
}

/** The Directus error envelope with one error of the given code, and nothing internal in the body. */
export function expectErrorEnvelope(response: { body: Record<string, unknown>; text: string }, code: string) {
  expect(response.body).toEqual({
    errors: [expect.objectContaining({ message: expect.any(String), extensions: expect.objectContaining({ code }) })],
  });
  expect(response.text).not.toMatch(/stack|at .+\.js:\d+|node_modules/);
}

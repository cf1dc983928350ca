// Issue 10, finding 11: every response carries the hardening headers (nosniff above all on /assets, where an
// uploaded file must never be sniffed into HTML), next to Directus's own Content-Security-Policy.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { harness } from './harness/context.js';
import { adminToken } from './http.js';

let admin: string;
let fileId: string;

beforeAll(async () => {
  admin = await adminToken();
  const form = new FormData();
  // Plain text: markup is refused at upload (decision 0038); the headers are what this file checks.
  form.append('file', new Blob(['a plain note'], { type: 'text/plain' }), 'note.txt');
  const response = await fetch(`${harness().baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
    body: form,
  });
  expect(response.status).toBe(200);
  fileId = ((await response.json()) as { data: { id: string } }).data.id;
});

describe('hardening headers', () => {
  const routes: Array<[string, () => string, boolean]> = [
    ['/assets/:id', () => `/assets/${fileId}`, true],
    // A collection every domain has: the platform's own.
    ['/items/workflow_definitions', () => '/items/workflow_definitions?limit=1', true],
    ['/server/ping', () => '/server/ping', false],
    ['/groundwork/v1/health/live', () => '/groundwork/v1/health/live', false],
    ['/admin/ (the app HTML)', () => '/admin/', false],
    ['an unknown route (404)', () => '/no-such-route', false],
  ];

  it.each(routes)('%s', async (_label, route, authenticated) => {
    const response = await fetch(`${harness().baseUrl}${route()}`, {
      headers: authenticated ? { authorization: `Bearer ${admin}` } : {},
    });
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-site');
    // Directus's own CSP is still there (we add to it, we do not replace it).
    expect(response.headers.get('content-security-policy')).toBeTruthy();
  });

  it("keeps Directus's CSPs: frame-ancestors on the app, default-src 'none' on assets", async () => {
    const app = await fetch(`${harness().baseUrl}/admin/`);
    expect(app.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    const asset = await fetch(`${harness().baseUrl}/assets/${fileId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(asset.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

// Health routes against the main Directus instance: liveness, readiness, version, request ids and the envelope.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { harness } from './harness/context.js';
import { adminToken, expectErrorEnvelope, getJson } from './http.js';

const health = () => `${harness().baseUrl}/groundwork/v1/health`;

describe('health routes', () => {
  it('answers liveness without touching dependencies', async () => {
    const response = await getJson(`${health()}/live`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'alive', uptimeSeconds: expect.any(Number) });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when Postgres answers, and says so per dependency', async () => {
    const response = await getJson(`${health()}/ready`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ready',
      checks: { postgres: { status: 'up', latencyMs: expect.any(Number) } },
    });
  });

  it('lets a load balancer select checks, and rejects unknown ones with the error envelope', async () => {
    expect((await getJson(`${health()}/ready?checks=postgres`)).status).toBe(200);
    const response = await getJson(`${health()}/ready?checks=postgres,nosuch`);
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'INVALID_QUERY');
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Invalid query: checks.1: must name configured checks: postgres',
        extensions: { code: 'INVALID_QUERY', issues: [{ path: 'checks.1', message: expect.any(String) }] },
      }),
    ]);
  });

  it('rejects repeated query parameters instead of guessing', async () => {
    const response = await getJson(`${health()}/ready?checks=postgres&checks=postgres`);
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'INVALID_QUERY');
  });

  it('shows the running versions to admins only', async () => {
    const anonymous = await getJson(`${health()}/version`);
    expect(anonymous.status).toBe(403);
    expectErrorEnvelope(anonymous, 'FORBIDDEN');

    const token = await adminToken();
    const admin = await getJson(`${health()}/version`, { headers: { authorization: `Bearer ${token}` } });
    expect(admin.status).toBe(200);
    const rootManifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(admin.body).toEqual({
      groundwork: rootManifest.version,
      directus: '11.17.4',
      node: expect.stringMatching(/^v22\./),
    });
  });

  it('answers an unknown route under our prefix with the 404 envelope', async () => {
    const response = await getJson(`${harness().baseUrl}/groundwork/v1/nosuch`);
    expect(response.status).toBe(404);
    expectErrorEnvelope(response, 'ROUTE_NOT_FOUND');
  });
});

describe('request ids', () => {
  it('echoes an incoming x-request-id and logs it on the request line', async () => {
    const id = `test-${Date.now()}`;
    // Probes (live, ready) are served before Directus's request logger, so use a route that passes through it.
    const response = await getJson(`${health()}/version`, { headers: { 'x-request-id': id } });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-request-id')).toBe(id);

    // Directus's HTTP logger writes the line when the response finishes; give the pipe a moment.
    let logged: Array<{ req?: { id?: string; url?: string } }> = [];
    for (let attempt = 0; attempt < 20 && logged.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      logged = readFileSync(harness().logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes(id))
        .map((line) => JSON.parse(line));
    }
    expect(logged).toEqual([
      expect.objectContaining({ req: expect.objectContaining({ id, url: '/groundwork/v1/health/version' }) }),
    ]);
  });

  it('generates an id when none (or an unsafe one) is sent, on every route including Directus’s own', async () => {
    const plain = await fetch(`${harness().baseUrl}/server/ping`);
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await fetch(`${health()}/live`, { headers: { 'x-request-id': 'a b {"level":60}' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

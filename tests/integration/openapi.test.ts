// The OpenAPI document we serve: Directus's document for the caller plus our endpoints, generated from the same
// zod contract the routes validate with; and the live answers match that contract.
import { describe, expect, it } from '@jest/globals';
import { livenessResponse, readinessReport } from '../../extensions/platform/src/health/core/contract.js';
import { harness } from './harness/context.js';
import { adminToken, getJson } from './http.js';

type Document = {
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; security?: unknown[] }>>;
};

describe('GET /groundwork/v1/openapi.json', () => {
  it('documents our routes, with the query parameters the routes validate', async () => {
    const response = await getJson(`${harness().baseUrl}/groundwork/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = response.body as unknown as Document;
    expect(document.info.title).toBe('Groundwork API');
    expect(document.servers).toEqual([{ url: harness().baseUrl }]);
    expect(document.paths['/groundwork/v1/health/ready']?.get?.parameters).toEqual([
      expect.objectContaining({ name: 'checks', in: 'query' }),
    ]);
    expect(document.paths['/groundwork/v1/health/live']?.get?.security).toEqual([]);
  });

  it("shows Directus's paths as the caller's permissions allow", async () => {
    const anonymous = (await getJson(`${harness().baseUrl}/groundwork/v1/openapi.json`)).body as unknown as Document;
    const token = await adminToken();
    const admin = (
      await getJson(`${harness().baseUrl}/groundwork/v1/openapi.json`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).body as unknown as Document;
    expect(Object.keys(admin.paths).length).toBeGreaterThan(Object.keys(anonymous.paths).length);
    expect(admin.paths['/users']).toBeDefined();
    expect(anonymous.paths['/users']).toBeUndefined();
  });

  it('describes what the routes really answer', async () => {
    const live = await getJson(`${harness().baseUrl}/groundwork/v1/health/live`);
    expect(livenessResponse.safeParse(live.body).success).toBe(true);
    const ready = await getJson(`${harness().baseUrl}/groundwork/v1/health/ready`);
    expect(readinessReport.safeParse(ready.body).success).toBe(true);
    // And the contract is strict enough to notice a wrong answer.
    expect(readinessReport.safeParse({ status: 'fine', checks: {} }).success).toBe(false);
  });
});

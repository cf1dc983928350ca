// Admin login through the real SDK, and proof that the server under test runs our built extension.
import { authentication, createDirectus, readExtensions, readMe, rest } from '@directus/sdk';
import { describe, expect, it } from '@jest/globals';
import { harness } from './harness/context.js';
import { expectErrorEnvelope, getJson } from './http.js';

describe('admin login', () => {
  it('logs in with the bootstrapped admin and reads its own profile', async () => {
    const { baseUrl, admin } = harness();
    const client = createDirectus(baseUrl)
      .with(authentication('json', { autoRefresh: false }))
      .with(rest());
    await client.login({ email: admin.email, password: admin.password });
    const me = await client.request(readMe({ fields: ['email'] }));
    expect(me.email).toBe(admin.email);

    const extensions = await client.request(readExtensions());
    // The SDK types schema loosely; a bundle's schema carries its package name and entries.
    type BundleSchema = { name?: string; entries?: Array<{ name: string }> };
    const platform = extensions.find(
      (extension) => (extension.schema as BundleSchema)?.name === '@groundwork/platform',
    );
    expect(platform?.meta.enabled).toBe(true);
    const entries = (platform?.schema as BundleSchema | undefined)?.entries ?? [];
    expect(entries.map((entry) => entry.name).sort()).toEqual([
      'groundwork',
      'groundwork-api-keys',
      'groundwork-export-query',
      'groundwork-import-file',
      'groundwork-jobs',
      'groundwork-security',
      'groundwork-ticket-assist',
      'groundwork-transfer',
      'groundwork-webhooks',
      'groundwork-workflow-state',
      'platform-hook',
    ]);
  });

  it('rejects a wrong password with the 401 envelope', async () => {
    const { baseUrl, admin } = harness();
    const response = await getJson(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: 'not-the-password' }),
    });
    expect(response.status).toBe(401);
    expectErrorEnvelope(response, 'INVALID_CREDENTIALS');
  });

  it('rejects malformed JSON with a 400, not a 500', async () => {
    const response = await getJson(`${harness().baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(response.status).toBe(400);
    expectErrorEnvelope(response, 'INVALID_PAYLOAD');
  });
});

// An SSRF attempt through a webhook subscription, on an instance with Directus's default IMPORT_IP_DENY_LIST
// (`0.0.0.0,169.254.169.254`: every address of this machine's interfaces, loopback subnets whole, and the cloud
// metadata address). A receiver on 127.0.0.1 gets nothing, whether the URL names the address, `localhost` (the
// check runs after resolution) or the IPv4-mapped IPv6 form; each delivery fails at once, naming the deny list.
// webhooks.test.ts delivers to the same kind of receiver on an instance whose list leaves loopback out.
import { describe, expect, it } from '@jest/globals';
import { useFixtureInstance } from './harness/fixture.js';
import { useWebhookReceiver } from './harness/webhook-receiver.js';
import { until } from './http.js';

const receiver = useWebhookReceiver();
const fixture = useFixtureInstance({
  name: 'platform-webhooks-ssrf',
  env: { IMPORT_IP_DENY_LIST: '0.0.0.0,169.254.169.254' },
});

describe('webhooks under Directus default deny list', () => {
  it('refuses 127.0.0.1, localhost and ::ffff:127.0.0.1, and the receiver gets nothing', async () => {
    const urls = [
      receiver.url('/ok'),
      receiver.url('/ok').replace('127.0.0.1', 'localhost'),
      receiver.url('/ok').replace('127.0.0.1', '[::ffff:127.0.0.1]'),
    ];
    for (const url of urls) {
      const subscription = await fixture.ok<{ id: string }>(
        fixture.admin,
        'POST',
        '/groundwork/v1/webhooks/subscriptions',
        { url, events: ['webhook.*'] },
      );
      const { delivery } = await fixture.ok<{ delivery: string }>(
        fixture.admin,
        'POST',
        `/groundwork/v1/webhooks/subscriptions/${subscription.id}/test`,
      );
      const row = await until(`delivery to ${url} settled`, async () => {
        const current = await fixture.sql('webhook_deliveries').where({ id: delivery }).first();
        return current && current.status !== 'pending' && current.status !== 'retrying' ? current : null;
      });
      expect([url, row.status, row.attempts, row.last_status]).toEqual([url, 'failed', 1, null]);
      expect(row.last_error).toMatch(/denied address \(IMPORT_IP_DENY_LIST\)/);
    }
    expect(receiver.arrivals).toEqual([]);
  });
});

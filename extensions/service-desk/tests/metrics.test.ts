// The service desk's gauges in the platform's metrics, on the main instance (which runs with MAIN_METRICS_TOKEN):
// open tickets by status and priority, and SLA breaches.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { harness, MAIN_METRICS_TOKEN } from '../../../tests/integration/harness/context.js';
import { getJson } from '../../../tests/integration/http.js';
import { createDesk, ticketIn, type Desk } from './fixtures.js';

let desk: Desk;

beforeAll(async () => {
  desk = await createDesk('metrics');
});

afterAll(async () => {
  await desk?.db.destroy();
});

async function gauge(name: string, labels: string): Promise<number> {
  const response = await getJson(`${harness().baseUrl}/groundwork/v1/metrics`, {
    headers: { authorization: `Bearer ${MAIN_METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  expect(response.text).toContain(`${'groundwork_metrics_collector_errors_total'}{collector="service-desk"} 0`);
  const line = response.text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('service desk gauges', () => {
  it('count open tickets by status and priority, and SLA breaches; solved tickets are not open', async () => {
    const open = 'groundwork_service_desk_open_tickets';
    const sla = 'groundwork_service_desk_sla_tickets';
    const before = {
      urgent: await gauge(open, 'status="open",priority="urgent"'),
      breached: await gauge(sla, 'sla_state="breached",priority="urgent"'),
    };
    const ticket = await ticketIn(desk, 'open', { priority: 'urgent' });
    await ticketIn(desk, 'solved', { priority: 'urgent' });
    await desk.db('tickets').where({ id: ticket }).update({ sla_state: 'breached' });
    expect(await gauge(open, 'status="open",priority="urgent"')).toBe(before.urgent + 1);
    expect(await gauge(sla, 'sla_state="breached",priority="urgent"')).toBe(before.breached + 1);
  });
});

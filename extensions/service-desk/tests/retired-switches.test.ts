// No variable weakens a rule or adds a test route (decision 0024). The main instance runs with every retired switch
// set (harness/context.ts); here: a workflow rule still refuses, and neither the probe queue nor a probe route exists.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { harness, RETIRED_SWITCHES } from '../../../tests/integration/harness/context.js';
import { expectErrorEnvelope } from '../../../tests/integration/http.js';
import { asAdmin, call, createDesk, ticketIn, type Desk } from './fixtures.js';

let desk: Desk;

beforeAll(async () => {
  desk = await createDesk('switches');
});

afterAll(async () => {
  await desk?.db.destroy();
});

describe('the retired switches, set on the main instance', () => {
  it('are in the environment the main instance was started with', () => {
    expect(harness().retiredSwitches).toEqual(RETIRED_SWITCHES);
    expect(RETIRED_SWITCHES).toEqual(
      expect.objectContaining({ GROUNDWORK_WORKFLOWS_ENFORCE: 'false', GROUNDWORK_JOBS_TEST_PROBE: 'true' }),
    );
  });

  it('leave workflow enforcement on: a customer still cannot close a solved ticket', async () => {
    // solved -> closed is in the graph (managers and the system), so the database trigger lets it through: only the
    // workflow hook refuses it, for the customer's role.
    const ticket = await ticketIn(desk, 'solved');
    const refused = await call(desk.users.customer.token, 'PATCH', `/items/tickets/${ticket}`, { status: 'closed' });
    expect(refused.status).toBe(409);
    expectErrorEnvelope(refused, 'TRANSITION_NOT_ALLOWED');
    expect((refused.body.errors as { message: string }[])[0]!.message).toContain(
      `cannot move from "solved" to "closed"`,
    );
    expect((await desk.db('tickets').where({ id: ticket }).first()).status).toBe('solved');
    // The same move is the manager's: the refusal is about the role, not the ticket.
    const managed = await call(desk.users.manager.token, 'PATCH', `/items/tickets/${ticket}`, { status: 'closed' });
    expect(managed.status).toBe(200);
  });

  it('add no probe queue and no probe route', async () => {
    const queues = await asAdmin<Array<{ queue: string }>>(desk, 'GET', '/groundwork/v1/jobs/queues');
    expect(queues.map((row) => row.queue)).toContain('groundwork.events');
    expect(queues.map((row) => row.queue)).not.toContain('groundwork.probe');
    for (const route of ['/groundwork/v1/jobs/probe', '/groundwork-probe/jobs']) {
      const response = await call(desk.admin, 'POST', route, { jobs: [{ key: 'never' }] });
      expect({ route, status: response.status }).toEqual({ route, status: 404 });
    }
    const tables = await desk.db.raw("SELECT to_regclass('groundwork.probe_run') AS probe_run");
    expect(tables.rows).toEqual([{ probe_run: null }]);
  });
});

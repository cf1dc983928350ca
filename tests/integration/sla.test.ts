// SLA and the scheduled jobs of the service desk on the main test instance: due times from the organization's
// policy on create and on priority change (database trigger, so batch updates get per-ticket values); the SLA scan
// marks at-risk and breached tickets and publishes sla.tickets.*; auto-close moves tickets solved more than 7 days
// ago to closed through the workflow, as the system. Time is controlled by writing timestamps in the past, and the
// jobs are run now by enqueueing them with groundwork_enqueue (what their cron schedule does every tick).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, createDesk, eventsOf, historyOf, POLICY_MINUTES, ticketIn, type Desk } from './service-desk-fixtures.js';

let desk: Desk;

beforeAll(async () => {
  desk = await createDesk('sla');
});

afterAll(async () => {
  await desk?.db.destroy();
});

const minutes = (from: Date | string, to: Date | string) => (new Date(to).getTime() - new Date(from).getTime()) / 60000;

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30000) {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function runJob(queue: string) {
  await desk.db.raw(`select groundwork_enqueue(?, '{}'::jsonb)`, [queue]);
}

describe('due times', () => {
  it('are set on create from the policy and recomputed when the priority changes', async () => {
    const created = await call(desk.users.customer.token, 'POST', '/items/tickets', {
      subject: `due ${desk.run}`,
      priority: 'high',
    });
    expect(created.status).toBe(200);
    const id = (created.body.data as { id: string }).id;
    let row = await desk.db('tickets').where({ id }).first();
    expect(minutes(row.date_created, row.first_response_due_at)).toBe(POLICY_MINUTES.first_response_high);
    expect(minutes(row.date_created, row.resolution_due_at)).toBe(POLICY_MINUTES.resolution_high);

    expect((await call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, { priority: 'urgent' })).status).toBe(
      200,
    );
    row = await desk.db('tickets').where({ id }).first();
    expect(minutes(row.date_created, row.first_response_due_at)).toBe(POLICY_MINUTES.first_response_urgent);
    expect(minutes(row.date_created, row.resolution_due_at)).toBe(POLICY_MINUTES.resolution_urgent);
  });

  it('are per ticket in a batch priority change, counted from each creation time', async () => {
    const a = await ticketIn(desk, 'open', { createdMinutesAgo: 30 });
    const b = await ticketIn(desk, 'open', { createdMinutesAgo: 90 });
    const response = await call(desk.users.agent.token, 'PATCH', '/items/tickets', {
      keys: [a, b],
      data: { priority: 'low' },
    });
    expect(response.status).toBe(200);
    for (const id of [a, b]) {
      const row = await desk.db('tickets').where({ id }).first();
      expect(minutes(row.date_created, row.resolution_due_at)).toBe(POLICY_MINUTES.resolution_low);
    }
  });

  it('are empty for an organization without a policy', async () => {
    const id = await ticketIn(desk, 'new', { org: desk.otherOrg.id });
    const row = await desk.db('tickets').where({ id }).first();
    expect([row.first_response_due_at, row.resolution_due_at]).toEqual([null, null]);
  });
});

describe('SLA scan job', () => {
  it('marks at-risk and breached tickets once and publishes one event each', async () => {
    // Normal priority: first response due 240 minutes after creation; at risk from 192 minutes on.
    const atRisk = await ticketIn(desk, 'open', { createdMinutesAgo: 200 });
    const breached = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    const onTrack = await ticketIn(desk, 'open', { createdMinutesAgo: 10 });
    const solved = await ticketIn(desk, 'solved', { createdMinutesAgo: 300 });
    await runJob('service-desk.sla-scan');
    await until(
      'the SLA scan',
      () => desk.db('tickets').whereIn('id', [atRisk, breached]).pluck('sla_state'),
      (states) => states.every((state) => state !== null),
    );
    const state = async (id: string) => (await desk.db('tickets').where({ id }).first()).sla_state;
    expect([await state(atRisk), await state(breached), await state(onTrack), await state(solved)]).toEqual([
      'at_risk',
      'breached',
      null,
      null,
    ]);
    const types = async (id: string) => (await eventsOf(desk, id)).map((event) => event.type);
    expect(await types(atRisk)).toEqual(['sla.tickets.warning']);
    expect(await types(breached)).toEqual(['sla.tickets.breached']);
    expect((await eventsOf(desk, breached))[0]).toMatchObject({
      collection: 'tickets',
      actor: null,
      data: expect.objectContaining({ target: 'first_response' }),
    });

    // A second run publishes nothing new (the probe, written before it, shows the run happened).
    const probe = await ticketIn(desk, 'open', { createdMinutesAgo: 500 });
    await runJob('service-desk.sla-scan');
    await until(
      'the second scan',
      () => desk.db('tickets').where({ id: probe }).first(),
      (row) => row.sla_state !== null,
    );
    expect(await types(atRisk)).toEqual(['sla.tickets.warning']);
    expect(await types(breached)).toEqual(['sla.tickets.breached']);
  });
});

describe('auto-close job', () => {
  it('closes tickets solved more than 7 days ago through the workflow, as the system', async () => {
    const old = await ticketIn(desk, 'solved', { solvedDaysAgo: 8 });
    const recent = await ticketIn(desk, 'solved', { solvedDaysAgo: 2 });
    await runJob('service-desk.auto-close');
    const row = await until(
      'auto-close',
      () => desk.db('tickets').where({ id: old }).first(),
      (ticket) => ticket.status === 'closed',
    );
    expect(row.closed_at).not.toBeNull();
    expect((await desk.db('tickets').where({ id: recent }).first()).status).toBe('solved');
    expect((await historyOf(desk, old)).at(-1)).toMatchObject({
      from: 'solved',
      to: 'closed',
      transition: 'close',
      actor: null,
      comment: 'Closed automatically 7 days after solving',
    });
    expect((await eventsOf(desk, old)).map((event) => [event.type, event.actor])).toEqual([
      ['workflow.tickets.closed', null],
    ]);
  });
});

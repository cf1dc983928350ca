// SLA and the scheduled jobs of the service desk on the main test instance: due times from the organization's
// policy on create and on priority change (database trigger, so batch updates get per-ticket values); the first
// public reply by staff stops the first-response clock, on every write path; pending and on hold pause both clocks
// and push the due times out (decision 0023); the SLA scan marks at-risk and breached tickets, never paused ones,
// and publishes sla.tickets.*; auto-close moves tickets solved more than 7 days ago to closed through the workflow,
// as the system. Time is controlled by writing timestamps in the past, and the jobs are run now by enqueueing them
// with groundwork_enqueue (what their cron schedule does every tick).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { harness } from '../../../tests/integration/harness/context.js';
import { call, createDesk, eventsOf, historyOf, POLICY_MINUTES, ticketIn, type Desk } from './fixtures.js';

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

describe('historic breaches (imported or seeded past due)', () => {
  it('are marked breached without an event; a live breach in the same run still publishes one', async () => {
    // Due 240 minutes after creation: the historic one breached about three days ago, the live one 20 minutes ago.
    const historic = await ticketIn(desk, 'open', { createdMinutesAgo: 3 * 24 * 60 });
    const historicResponded = await ticketIn(desk, 'open', { createdMinutesAgo: 30 * 24 * 60 });
    await desk.db('tickets').where({ id: historicResponded }).update({ first_responded_at: desk.db.fn.now() });
    const live = await ticketIn(desk, 'open', { createdMinutesAgo: 260 });
    await runJob('service-desk.sla-scan');
    await until(
      'the SLA scan',
      () => desk.db('tickets').whereIn('id', [historic, historicResponded, live]).pluck('sla_state'),
      (states) => states.length === 3 && states.every((state) => state === 'breached'),
    );
    const types = async (id: string) => (await eventsOf(desk, id)).map((event) => event.type);
    expect(await types(historic)).toEqual([]);
    expect(await types(historicResponded)).toEqual([]);
    expect(await types(live)).toEqual(['sla.tickets.breached']);
  });
});

const ticketRow = async (id: string) => desk.db('tickets').where({ id }).first();
const ms = (value: Date | string) => new Date(value).getTime();

/** A public reply as `token` through REST; the status must be 200. */
async function reply(token: string, ticket: string, body: Record<string, unknown> = {}) {
  const response = await call(token, 'POST', '/items/ticket_messages', { ticket, body: `reply ${desk.run}`, ...body });
  if (response.status !== 200) throw new Error(`reply answered ${response.status}: ${response.text}`);
  return (response.body.data as { id: string }).id;
}

async function messageCreated(id: string): Promise<Date> {
  return (await desk.db('ticket_messages').where({ id }).first()).date_created;
}

describe('first response', () => {
  it('is stamped by the first public staff reply only: not a note, not the customer, not a second reply', async () => {
    const created = await call(desk.users.customer.token, 'POST', '/items/tickets', { subject: `fr ${desk.run}` });
    const id = (created.body.data as { id: string }).id;
    await reply(desk.users.customer.token, id);
    await reply(desk.users.agent.token, id, { internal: true });
    expect((await ticketRow(id)).first_responded_at).toBeNull();

    const first = await reply(desk.users.agent.token, id);
    const stamped = (await ticketRow(id)).first_responded_at;
    expect(stamped).toEqual(await messageCreated(first));

    await desk.db.raw('select pg_sleep(0.01)'); // a second reply made strictly later
    await reply(desk.users.agent2.token, id);
    await reply(desk.users.manager.token, id);
    await reply(desk.users.customer.token, id);
    expect((await ticketRow(id)).first_responded_at).toEqual(stamped);
  });

  it('is stamped on every write path: batch, GraphQL, nested, import, SQL, and a note made public', async () => {
    const agent = desk.users.agent.token;
    const ids = await Promise.all(Array.from({ length: 7 }, () => ticketIn(desk, 'open')));
    const [batchA, batchB, gql, nested, imported, sql, flipped] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const batch = await call(agent, 'POST', '/items/ticket_messages', [
      { ticket: batchA, body: 'batch a' },
      { ticket: batchB, body: 'batch b' },
    ]);
    const graphql = await call(agent, 'POST', '/graphql', {
      query: 'mutation ($data: create_ticket_messages_input!) { create_ticket_messages_item(data: $data) { id } }',
      // Staff's input type takes the ticket as a tickets input (an existing one by id, its required subject as it
      // is) and requires `internal` (least-privilege, 0014).
      variables: {
        data: { ticket: { id: gql, subject: `ticket open ${desk.run}` }, body: 'graphql', internal: false },
      },
    });
    const patch = await call(agent, 'PATCH', `/items/tickets/${nested}`, {
      messages: { create: [{ body: 'nested' }], update: [], delete: [] },
    });
    const form = new FormData();
    form.append(
      'file',
      new Blob([JSON.stringify([{ ticket: imported, body: 'imported' }])], { type: 'application/json' }),
      'messages.json',
    );
    const upload = await fetch(`${harness().baseUrl}/utils/import/ticket_messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}` },
      body: form,
    });
    await desk
      .db('ticket_messages')
      .insert({ id: randomUUID(), ticket: sql, body: 'sql', author: desk.users.agent.id });
    const note = await reply(agent, flipped, { internal: true });
    expect((await ticketRow(flipped)).first_responded_at).toBeNull();
    const flip = await call(agent, 'PATCH', `/items/ticket_messages/${note}`, { internal: false });
    expect([batch.status, graphql.body.errors, patch.status, upload.status, await upload.text(), flip.status]).toEqual([
      200,
      undefined,
      200,
      200,
      '',
      200,
    ]);
    const rows = await desk.db('tickets').whereIn('id', ids).select('id', 'first_responded_at');
    expect(rows.filter((row) => row.first_responded_at === null).map((row) => row.id)).toEqual([]);
  });

  it('does not count customers on any path, nor a message without an author', async () => {
    const customer = desk.users.customer.token;
    const [a, b, c] = await Promise.all([ticketIn(desk, 'open'), ticketIn(desk, 'open'), ticketIn(desk, 'open')]);
    expect((await call(customer, 'POST', '/items/ticket_messages', [{ ticket: a, body: 'x' }])).status).toBe(200);
    const nested = await call(customer, 'PATCH', `/items/tickets/${b}`, {
      messages: { create: [{ body: 'nested' }], update: [], delete: [] },
    });
    expect(nested.status).toBe(200);
    await desk.db('ticket_messages').insert({ id: randomUUID(), ticket: c, body: 'no author' });
    const rows = await desk.db('tickets').whereIn('id', [a, b, c]).pluck('first_responded_at');
    expect(rows).toEqual([null, null, null]);
  });

  it('stops the first-response clock: the scan no longer counts its due time', async () => {
    // Normal priority, 300 minutes old: first response breached (240), resolution on track (2880).
    const answered = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    const unanswered = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    await reply(desk.users.agent.token, answered);
    for (const id of [answered, unanswered]) await reply(desk.users.customer.token, id);
    await reply(desk.users.agent.token, unanswered, { internal: true });
    await runJob('service-desk.sla-scan');
    await until(
      'the SLA scan',
      () => ticketRow(unanswered),
      (row) => row.sla_state !== null,
    );
    expect([(await ticketRow(unanswered)).sla_state, (await ticketRow(answered)).sla_state]).toEqual([
      'breached',
      null,
    ]);
    expect(await eventsOf(desk, answered)).toEqual([]);
  });
});

describe('pauses (pending, on hold)', () => {
  /** Moves a ticket with the agent's token (REST, through the workflow). */
  async function move(id: string, status: string) {
    const response = await call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, { status });
    expect([status, response.status]).toEqual([status, 200]);
    return ticketRow(id);
  }
  /** Makes the running pause `minutes` older, as if that much time had passed. */
  async function age(id: string, minutesAgo: number) {
    await desk
      .db('tickets')
      .where({ id })
      .update({ sla_paused_since: desk.db.raw(`sla_paused_since - make_interval(mins => ?)`, [minutesAgo]) });
  }
  const offset = (row: { date_created: Date }, due: Date) => (ms(due) - ms(row.date_created)) / 1000;

  it('pushes both due times out by the paused time, twice, and a priority change keeps the pauses', async () => {
    const id = await ticketIn(desk, 'open');
    const start = await ticketRow(id);
    expect([start.sla_paused_seconds, start.sla_paused_since]).toEqual([0, null]);

    const paused = await move(id, 'pending');
    expect(paused.sla_paused_since).not.toBeNull();
    expect([ms(paused.first_response_due_at), ms(paused.resolution_due_at)]).toEqual([
      ms(start.first_response_due_at),
      ms(start.resolution_due_at),
    ]);
    await age(id, 120);
    const resumed = await move(id, 'open');
    const first = resumed.sla_paused_seconds as number;
    expect([resumed.sla_paused_since, first >= 7200 && first < 7260]).toEqual([null, true]);
    expect((ms(resumed.first_response_due_at) - ms(start.first_response_due_at)) / 1000).toBe(first);
    expect((ms(resumed.resolution_due_at) - ms(start.resolution_due_at)) / 1000).toBe(first);

    await move(id, 'on_hold');
    await age(id, 30);
    const again = await move(id, 'open');
    const total = again.sla_paused_seconds as number;
    expect(total - first >= 1800 && total - first < 1860).toBe(true);
    expect(offset(again, again.first_response_due_at)).toBe(POLICY_MINUTES.first_response_normal * 60 + total);
    expect(offset(again, again.resolution_due_at)).toBe(POLICY_MINUTES.resolution_normal * 60 + total);

    const urgent = await call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, { priority: 'high' });
    expect(urgent.status).toBe(200);
    const high = await ticketRow(id);
    expect(high.sla_paused_seconds).toBe(total);
    expect(offset(high, high.first_response_due_at)).toBe(POLICY_MINUTES.first_response_high * 60 + total);
    expect(offset(high, high.resolution_due_at)).toBe(POLICY_MINUTES.resolution_high * 60 + total);
  });

  it('keeps a running pause through a priority change and counts it at the resume', async () => {
    const id = await ticketIn(desk, 'open');
    await move(id, 'on_hold');
    await age(id, 60);
    expect((await call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, { priority: 'low' })).status).toBe(200);
    const during = await ticketRow(id);
    expect([during.sla_paused_since === null, during.sla_paused_seconds]).toEqual([false, 0]);
    const after = await move(id, 'open');
    expect(after.sla_paused_seconds >= 3600 && after.sla_paused_seconds < 3660).toBe(true);
    expect(offset(after, after.resolution_due_at)).toBe(POLICY_MINUTES.resolution_low * 60 + after.sla_paused_seconds);
  });

  it('the scan flags no paused ticket, measures risk without the paused time, and flags it again after resuming', async () => {
    // Normal priority, 300 minutes old: breached (first response due at 240) unless paused.
    const waiting = await ticketIn(desk, 'pending', { createdMinutesAgo: 300 });
    const held = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    await move(held, 'on_hold');
    const late = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    // Paused 120 minutes earlier: due at 360, at risk from 312 (the last 20% of 240 minutes), so on track at 300.
    const shifted = await ticketIn(desk, 'open', { createdMinutesAgo: 300 });
    await desk.db('tickets').where({ id: shifted }).update({ sla_paused_seconds: 7200 });
    const shiftedRow = await ticketRow(shifted);
    expect(offset(shiftedRow, shiftedRow.first_response_due_at)).toBe(360 * 60);

    await runJob('service-desk.sla-scan');
    await until(
      'the SLA scan',
      () => ticketRow(late),
      (row) => row.sla_state !== null,
    );
    const states = await Promise.all([waiting, held, shifted, late].map(async (id) => (await ticketRow(id)).sla_state));
    expect(states).toEqual([null, null, null, 'breached']);
    expect((await eventsOf(desk, waiting)).filter((event) => event.type.startsWith('sla.'))).toEqual([]);
    expect((await eventsOf(desk, held)).filter((event) => event.type.startsWith('sla.'))).toEqual([]);

    // Resumed after a few seconds: the 300 minutes before the pause still count.
    await move(waiting, 'open');
    await runJob('service-desk.sla-scan');
    const row = await until(
      'the scan after resuming',
      () => ticketRow(waiting),
      (ticket) => ticket.sla_state !== null,
    );
    expect(row.sla_state).toBe('breached');
  });

  it('are read-only for every role: no non-admin writes the pause fields on update or create', async () => {
    const id = await ticketIn(desk, 'open');
    const before = await ticketRow(id);
    const writes = { sla_paused_since: '2020-01-01T00:00:00.000Z', sla_paused_seconds: 999999 };
    const roles = [
      ['manager', desk.users.manager.token],
      ['agent', desk.users.agent.token],
      ['customer', desk.users.customer.token],
    ] as const;
    for (const [role, token] of roles) {
      for (const [field, value] of Object.entries(writes)) {
        const patched = await call(token, 'PATCH', `/items/tickets/${id}`, { [field]: value });
        const batch = await call(token, 'PATCH', '/items/tickets', { keys: [id], data: { [field]: value } });
        const created = await call(token, 'POST', '/items/tickets', {
          subject: `pause ${field}`,
          organization: desk.org.id,
          [field]: value,
        });
        expect([role, field, patched.status, batch.status, created.status]).toEqual([role, field, 403, 403, 403]);
      }
      // The same create without them is allowed: the refusals above are the fields'.
      const plain = await call(token, 'POST', '/items/tickets', {
        subject: 'pause control',
        organization: desk.org.id,
      });
      expect([role, plain.status]).toEqual([role, 200]);
    }
    const graphql = await call(desk.users.agent.token, 'POST', '/graphql', {
      query: 'mutation ($id: ID!) { update_tickets_item(id: $id, data: { sla_paused_seconds: 999999 }) { id } }',
      variables: { id },
    });
    expect(graphql.body.errors).toBeDefined();
    expect(await ticketRow(id)).toEqual(before);
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

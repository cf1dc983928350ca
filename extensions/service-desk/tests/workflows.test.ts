// Workflows on the main test instance: the transition matrix of both domain workflows (every pair of states, per
// role, over REST and GraphQL), generated from the definitions as stored; guards; the refusal message; batch
// updates checked per item; history and events written in the transaction of the write (and not at all when it
// rolls back); the database's last-line check; read-only history; the allowed-transitions endpoint.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROLE } from '../spec/service-desk/access.js';
import { harness } from '../../../tests/integration/harness/context.js';
import { asAdmin, articleIn, call, createDesk, eventsOf, historyOf, ticketIn, type Desk } from './fixtures.js';

interface Transition {
  name: string;
  from: string;
  to: string;
  roles: string[];
  guards: string[];
}
interface Definition {
  collection: string;
  states: string[];
  initial_states: string[];
  transitions: Transition[];
}

let desk: Desk;
let definitions: Record<string, Definition>;
const tally = { allowed: 0, refused: 0 };

beforeAll(async () => {
  desk = await createDesk('wf');
  const rows = await asAdmin<Definition[]>(desk, 'GET', '/items/workflow_definitions?limit=-1');
  definitions = Object.fromEntries(rows.map((row) => [row.collection, row]));
});

afterAll(async () => {
  console.log(`workflow matrix: ${tally.allowed} allowed and ${tally.refused} refused transitions checked`);
  await desk?.db.destroy();
});

const roleOf = {
  manager: ROLE.manager,
  agent: ROLE.agent,
  customer: ROLE.customer,
  editor: ROLE.contentEditor,
} as const;
type Who = keyof typeof roleOf;

/** Moves the definition gives `who` from `from` (the guards pass in the fixtures: recent solve, other author). */
function expectedTargets(definition: Definition, from: string, who: Who): string[] {
  const targets = definition.transitions
    .filter((t) => t.from === from && t.roles.includes(roleOf[who]))
    .map((t) => t.to);
  return [...new Set(targets)];
}

async function patchState(transport: 'rest' | 'graphql', token: string, collection: string, id: string, to: string) {
  if (transport === 'rest') return call(token, 'PATCH', `/items/${collection}/${id}`, { status: to });
  const query = `mutation { update_${collection}_item(id: "${id}", data: { status: "${to}" }) { id } }`;
  return call(token, 'POST', '/graphql', { query });
}

/** The outcome of a write, the same way for REST and GraphQL: null when it went through, else the error. */
function errorOf(response: { status: number; body: Record<string, unknown> }) {
  const errors = response.body.errors as { message: string; extensions: { code: string } }[] | undefined;
  if (response.status === 200 && !errors) return null;
  return errors?.[0] ?? { message: `status ${response.status}`, extensions: { code: 'UNKNOWN' } };
}

const matrixRoles: [Collection, Who[]][] = [
  ['tickets', ['manager', 'agent', 'customer']],
  ['kb_articles', ['manager', 'agent', 'editor']],
];
type Collection = 'tickets' | 'kb_articles';

describe.each(matrixRoles)('transition matrix of %s', (collection, roles) => {
  // One test per role; the pairs of states come from the stored definition (read in beforeAll).
  it.each(roles.map((who) => [who]))('every pair of states for %s, over REST and GraphQL', async (who) => {
    const definition = definitions[collection]!;
    const user = desk.users[who as Who];
    for (const transport of ['rest', 'graphql'] as const) {
      for (const from of definition.states) {
        const allowed = expectedTargets(definition, from, who as Who);
        for (const to of definition.states.filter((state) => state !== from)) {
          // Articles are written by editor2, so "reviewer is not the author" passes for everyone tested here.
          const id =
            collection === 'tickets'
              ? await ticketIn(desk, from, { solvedDaysAgo: 1 })
              : await articleIn(desk, from, desk.users.editor2.id);
          const response = await patchState(transport, user.token, collection, id, to);
          const error = errorOf(response);
          const stored = (await desk.db(collection).where({ id }).first()) as { status: string };
          const label = `${transport} ${who} ${from} → ${to}`;
          if (allowed.includes(to)) {
            expect([label, error]).toEqual([label, null]);
            expect([label, stored.status]).toEqual([label, to]);
            const history = await historyOf(desk, id);
            expect(history.at(-1)).toMatchObject({ from, to, actor: user.id });
            tally.allowed += 1;
          } else {
            const options = allowed.length ? allowed.map((state) => `"${state}"`).join(', ') : 'none';
            expect([label, error?.extensions.code, error?.message]).toEqual([
              label,
              'TRANSITION_NOT_ALLOWED',
              `${collection} item ${id} cannot move from "${from}" to "${to}". Allowed from "${from}" for you: ${options}.`,
            ]);
            if (transport === 'rest') expect(response.status).toBe(409);
            expect([label, stored.status]).toEqual([label, from]);
            expect(await historyOf(desk, id)).toHaveLength(1); // only the insert
            tally.refused += 1;
          }
        }
      }
    }
  });
});

describe('guards', () => {
  it('lets a customer reopen a solved ticket within 7 days, not after', async () => {
    const recent = await ticketIn(desk, 'solved', { solvedDaysAgo: 6 });
    const old = await ticketIn(desk, 'solved', { solvedDaysAgo: 8 });
    const ok = await call(desk.users.customer.token, 'PATCH', `/items/tickets/${recent}`, { status: 'open' });
    expect(ok.status).toBe(200);
    const refused = await call(desk.users.customer.token, 'PATCH', `/items/tickets/${old}`, { status: 'open' });
    expect(refused.status).toBe(409);
    expect((refused.body.errors as { message: string }[])[0]!.message).toBe(
      `tickets item ${old} cannot move from "solved" to "open": a solved ticket can be reopened only within 7 days. ` +
        'Allowed from "solved" for you: none.',
    );
    // Agents reopen at any age (their transition has no guard).
    expect((await call(desk.users.agent.token, 'PATCH', `/items/tickets/${old}`, { status: 'open' })).status).toBe(200);
  });

  it('refuses the author as reviewer of an article, and lets another editor publish it', async () => {
    const id = await articleIn(desk, 'in_review', desk.users.editor.id);
    const own = await call(desk.users.editor.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' });
    expect(own.status).toBe(409);
    expect((own.body.errors as { message: string }[])[0]!.message).toBe(
      `kb_articles item ${id} cannot move from "in_review" to "published": the author of an article cannot review ` +
        'it. Allowed from "in_review" for you: none.',
    );
    const changes = await call(desk.users.editor.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'draft' });
    expect(changes.status).toBe(409);
    const other = await call(desk.users.editor2.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' });
    expect(other.status).toBe(200);
    // The definition stamps published_at.
    expect((await desk.db('kb_articles').where({ id }).first()).published_at).not.toBeNull();
  });

  it('applies to the author when the article was created through the API without an author field', async () => {
    const created = await call(desk.users.editor.token, 'POST', '/items/kb_articles', {
      title: `own ${desk.run}`,
      slug: `own-${desk.run}`,
    });
    expect(created.status).toBe(200);
    const id = (created.body.data as { id: string }).id;
    expect(
      (await call(desk.users.editor.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'in_review' })).status,
    ).toBe(200);
    const own = await call(desk.users.editor.token, 'PATCH', `/items/kb_articles/${id}`, { status: 'published' });
    expect(own.status).toBe(409);
  });
});

describe('create', () => {
  it('starts items in an initial state only, and records the creation', async () => {
    const refused = await call(desk.users.agent.token, 'POST', '/items/tickets', {
      subject: 'straight to open',
      organization: desk.org.id,
      status: 'open',
    });
    expect(refused.status).toBe(409);
    expect((refused.body.errors as { message: string }[])[0]!.message).toBe(
      'a new tickets item cannot start in "open". Allowed initial states: "new".',
    );
    const created = await call(desk.users.customer.token, 'POST', '/items/tickets', { subject: `portal ${desk.run}` });
    expect(created.status).toBe(200);
    const id = (created.body.data as { id: string }).id;
    expect(await historyOf(desk, id)).toEqual([
      expect.objectContaining({ collection: 'tickets', from: null, to: 'new', actor: desk.users.customer.id }),
    ]);
  });
});

describe('batch updates', () => {
  it('checks every item in its own state and writes nothing when one is refused', async () => {
    const open = await ticketIn(desk, 'open');
    const pending = await ticketIn(desk, 'pending');
    const response = await call(desk.users.agent.token, 'PATCH', '/items/tickets', {
      keys: [open, pending],
      data: { status: 'solved' },
    });
    expect(response.status).toBe(409);
    const error = (response.body.errors as { message: string; extensions: Record<string, unknown> }[])[0]!;
    expect(error.message).toBe(
      `tickets item ${pending} cannot move from "pending" to "solved". Allowed from "pending" for you: "open".`,
    );
    expect(error.extensions.refusals).toEqual([{ item: pending, from: 'pending', to: 'solved', allowed: ['open'] }]);
    expect((await desk.db('tickets').where({ id: open }).first()).status).toBe('open');
  });

  it('records one history row and one event per item', async () => {
    const a = await ticketIn(desk, 'open');
    const b = await ticketIn(desk, 'open');
    const response = await call(desk.users.agent.token, 'PATCH', '/items/tickets', {
      keys: [a, b],
      data: { status: 'solved', workflow_comment: 'fixed in 2.1' },
    });
    expect(response.status).toBe(200);
    for (const id of [a, b]) {
      expect((await historyOf(desk, id)).at(-1)).toMatchObject({
        from: 'open',
        to: 'solved',
        transition: 'solve',
        actor: desk.users.agent.id,
        comment: 'fixed in 2.1',
      });
      const events = await eventsOf(desk, id);
      expect(events.map((event) => [event.type, event.actor, event.data])).toEqual([
        [
          'workflow.tickets.solved',
          desk.users.agent.id,
          { from: 'open', to: 'solved', comment: 'fixed in 2.1', transition: 'solve' },
        ],
      ]);
      const row = await desk.db('tickets').where({ id }).first();
      expect(row.workflow_comment).toBeNull(); // kept in history, cleared on the item
      expect(row.solved_at).not.toBeNull(); // the definition's stamp
    }
  });
});

describe('transactions', () => {
  it('records nothing when the write rolls back after the trigger ran', async () => {
    const taken = await ticketIn(desk, 'open');
    const { number } = await desk.db('tickets').where({ id: taken }).first();
    const id = await ticketIn(desk, 'open');
    // The state change passes the hook and the trigger; the unique number then fails the same UPDATE. As the admin:
    // no other role may write a ticket's number (version 0004).
    const response = await call(desk.admin, 'PATCH', `/items/tickets/${id}`, {
      status: 'solved',
      number,
    });
    expect(response.status).toBe(400);
    expect((response.body.errors as { extensions: { code: string } }[])[0]!.extensions.code).toBe('RECORD_NOT_UNIQUE');
    expect((await desk.db('tickets').where({ id }).first()).status).toBe('open');
    expect(await historyOf(desk, id)).toHaveLength(1);
    expect(await eventsOf(desk, id)).toEqual([]);
  });
});

describe('one transition per move, decided the same in the filter and the database (decision 0027)', () => {
  // A collection of its own, so changing definitions here touches no other test: two transitions between the same
  // two states, one for agents (with its own event name), one for customers.
  let collection: string;
  const itemIn = async (status: string) => {
    const id = randomUUID();
    await desk.db(collection).insert({ id, status });
    return id;
  };
  const lastHistory = async (id: string) => (await historyOf(desk, id)).at(-1);
  const eventTypes = async (id: string) =>
    (await desk.db('groundwork.domain_event').where({ item: id }).orderBy('occurred_at')).map((event) => event.type);

  beforeAll(async () => {
    collection = `wf_probe_${desk.run.replace(/\W/g, '_')}`;
    await asAdmin(desk, 'POST', '/collections', {
      collection,
      schema: {},
      meta: { hidden: true },
      fields: [
        { field: 'id', type: 'uuid', meta: { special: ['uuid'] }, schema: { is_primary_key: true } },
        { field: 'status', type: 'string', schema: { default_value: 'draft' } },
        { field: 'user_updated', type: 'uuid', meta: { special: ['user-updated'] }, schema: {} },
      ],
    });
    for (const role of [ROLE.agent, ROLE.customer]) {
      const [link] = await asAdmin<{ policy: string }[]>(
        desk,
        'GET',
        `/access?filter[role][_eq]=${role}&fields=policy`,
      );
      for (const action of ['read', 'update'])
        await asAdmin(desk, 'POST', '/permissions', {
          policy: link!.policy,
          collection,
          action,
          fields: action === 'read' ? ['*'] : ['status'],
          permissions: {},
        });
    }
    await asAdmin(desk, 'POST', '/items/workflow_definitions', {
      collection,
      state_field: 'status',
      states: ['draft', 'done'],
      initial_states: ['draft'],
      transitions: [
        { name: 'staff_finish', from: 'draft', to: 'done', roles: [ROLE.agent], guards: [], event: 'probe.finished' },
        { name: 'customer_finish', from: 'draft', to: 'done', roles: [ROLE.customer], guards: [] },
      ],
    });
  });

  afterAll(async () => {
    await call(desk.admin, 'DELETE', `/items/workflow_definitions/${collection}`);
    await call(desk.admin, 'DELETE', `/collections/${collection}`);
  });

  it("records the transition and event of the caller's role, not the first between the two states", async () => {
    const [byCustomer, byAgent] = [await itemIn('draft'), await itemIn('draft')];
    // The customer's move first: the old trigger took the first transition to "done" (staff_finish) for everyone.
    expect(
      (await call(desk.users.customer.token, 'PATCH', `/items/${collection}/${byCustomer}`, { status: 'done' })).status,
    ).toBe(200);
    expect(
      (await call(desk.users.agent.token, 'PATCH', `/items/${collection}/${byAgent}`, { status: 'done' })).status,
    ).toBe(200);
    expect(await lastHistory(byCustomer)).toMatchObject({
      from: 'draft',
      to: 'done',
      transition: 'customer_finish',
      actor: desk.users.customer.id,
    });
    expect(await lastHistory(byAgent)).toMatchObject({
      from: 'draft',
      to: 'done',
      transition: 'staff_finish',
      actor: desk.users.agent.id,
    });
    expect(await eventTypes(byCustomer)).toEqual([`workflow.${collection}.done`]);
    expect(await eventTypes(byAgent)).toEqual(['probe.finished']);
    const [event] = await desk.db('groundwork.domain_event').where({ item: byCustomer });
    expect(event.data).toEqual({ from: 'draft', to: 'done', comment: null, transition: 'customer_finish' });
  });

  it('follows an edited definition at once, in the filter and in the database', async () => {
    const before = await itemIn('draft');
    // Swap the order: agents now match the first entry under another name; the SQL is generated again.
    await asAdmin(desk, 'PATCH', `/items/workflow_definitions/${collection}`, {
      transitions: [
        { name: 'agent_done', from: 'draft', to: 'done', roles: [ROLE.agent], guards: [], event: 'probe.done' },
        { name: 'customer_finish', from: 'draft', to: 'done', roles: [ROLE.customer], guards: [] },
      ],
    });
    expect(
      (await call(desk.users.agent.token, 'PATCH', `/items/${collection}/${before}`, { status: 'done' })).status,
    ).toBe(200);
    expect(await lastHistory(before)).toMatchObject({ transition: 'agent_done' });
    expect(await eventTypes(before)).toEqual(['probe.done']);
  });
});

describe('concurrent writes', () => {
  it('never records an undefined move when two moves race on one item, and answers the loser 409', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const id = await ticketIn(desk, 'open');
      // Both moves are allowed from "open"; from each other's target neither is defined (solved→pending,
      // pending→solved), so the second to commit must fail, whatever state its filter read.
      const [solve, wait] = await Promise.all([
        call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, { status: 'solved' }),
        call(desk.users.agent2.token, 'PATCH', `/items/tickets/${id}`, { status: 'pending' }),
      ]);
      outcomes.push(`${solve.status}/${wait.status}`);
      const history = (await historyOf(desk, id)).filter((row) => row.from !== null);
      const { status } = await desk.db('tickets').where({ id }).first();
      // The loser gets the 409 of the filter, computed from the state the winner left (REST; decision 0010).
      expect([solve.status, wait.status].sort()).toEqual([200, 409]);
      const loser = solve.status === 409 ? solve : wait;
      expect((loser.body.errors as { message: string }[])[0]!.message).toMatch(
        new RegExp(`^tickets item ${id} cannot move from "(solved|pending)" to "(pending|solved)"\\. Allowed from`),
      );
      expect(history.map((row) => [row.from, row.to])).toEqual([['open', status]]);
      expect((await eventsOf(desk, id)).map((event) => event.type)).toEqual([`workflow.tickets.${status}`]);
    }
    console.log(`racing moves (solve/wait status codes): ${outcomes.join(' ')}`);
  });
});

describe('history access', () => {
  it('is read-only for staff, limited to articles for editors, and hidden from customers', async () => {
    const ticket = await ticketIn(desk, 'new');
    const article = await articleIn(desk, 'draft', desk.users.editor2.id);
    const agentRead = await call(desk.users.agent.token, 'GET', `/items/workflow_history?filter[item][_eq]=${ticket}`);
    expect(agentRead.status).toBe(200);
    expect(agentRead.body.data).toHaveLength(1);
    const editorTicket = await call(
      desk.users.editor.token,
      'GET',
      `/items/workflow_history?filter[item][_eq]=${ticket}`,
    );
    expect(editorTicket.body.data).toEqual([]);
    const editorArticle = await call(
      desk.users.editor.token,
      'GET',
      `/items/workflow_history?filter[item][_eq]=${article}`,
    );
    expect(editorArticle.body.data).toHaveLength(1);
    expect((await call(desk.users.customer.token, 'GET', '/items/workflow_history')).status).toBe(403);
    const row = (agentRead.body.data as { id: number }[])[0]!;
    for (const [method, route, body] of [
      ['POST', '/items/workflow_history', { collection: 'tickets', item: ticket, to: 'closed' }],
      ['PATCH', `/items/workflow_history/${row.id}`, { to: 'closed' }],
      ['DELETE', `/items/workflow_history/${row.id}`, undefined],
    ] as const) {
      expect([method, (await call(desk.users.manager.token, method, route, body)).status]).toEqual([method, 403]);
    }
    expect((await call(desk.users.agent.token, 'GET', '/items/workflow_definitions')).status).toBe(200);
    expect((await call(desk.users.customer.token, 'GET', '/items/workflow_definitions')).status).toBe(403);
    expect(
      (await call(desk.users.manager.token, 'PATCH', '/items/workflow_definitions/tickets', { states: [] })).status,
    ).toBe(403);
  });
});

describe('GET /groundwork/v1/workflows/:collection/:id/transitions', () => {
  const route = (collection: string, id: string) => `/groundwork/v1/workflows/${collection}/${id}/transitions`;

  it.each(matrixRoles.flatMap(([collection, roles]) => roles.map((who): [Collection, Who] => [collection, who])))(
    'lists the moves from every state of %s for the %s, as the definition gives them',
    async (collection, who) => {
      const definition = definitions[collection]!;
      for (const state of definition.states) {
        const id =
          collection === 'tickets'
            ? await ticketIn(desk, state, { solvedDaysAgo: 1 })
            : await articleIn(desk, state, desk.users.editor2.id);
        const response = await call(desk.users[who].token, 'GET', route(collection, id));
        expect([state, response.status]).toEqual([state, 200]);
        const data = response.body.data as { state: string; transitions: { to: string }[]; blocked: unknown[] };
        expect(data.state).toBe(state);
        expect([state, data.transitions.map((t) => t.to).sort()]).toEqual([
          state,
          expectedTargets(definition, state, who).sort(),
        ]);
      }
    },
  );

  it('names the guard that blocks a move', async () => {
    const id = await ticketIn(desk, 'solved', { solvedDaysAgo: 9 });
    const response = await call(desk.users.customer.token, 'GET', route('tickets', id));
    expect(response.body.data).toEqual({
      collection: 'tickets',
      item: id,
      state: 'solved',
      transitions: [],
      blocked: [{ name: 'reopen', to: 'open', reason: 'a solved ticket can be reopened only within 7 days' }],
    });
  });

  it('does not reveal items the caller cannot read, or whether they exist', async () => {
    const foreign = await ticketIn(desk, 'open', { org: desk.otherOrg.id });
    const forbidden = await call(desk.users.customer.token, 'GET', route('tickets', foreign));
    const missing = await call(
      desk.users.customer.token,
      'GET',
      route('tickets', '00000000-0000-4000-8000-000000000000'),
    );
    expect([forbidden.status, missing.status]).toEqual([403, 403]);
    expect(forbidden.text).not.toContain('open');
    // A PATCH of a foreign ticket is Directus's 403 too, not a workflow message that would name its state.
    const patch = await call(desk.users.customer.token, 'PATCH', `/items/tickets/${foreign}`, { status: 'closed' });
    expect(patch.status).toBe(403);
    expect(patch.text).not.toContain('"open"');
  });

  it('answers 400 for malformed input and 404 for a collection without a workflow, in the error envelope', async () => {
    const bad = await call(desk.users.agent.token, 'GET', route('no-such!', 'x'));
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { extensions: { code: string } }[])[0]!.extensions.code).toBe('INVALID_PARAMS');
    const none = await call(desk.users.agent.token, 'GET', route('organizations', desk.org.id));
    expect(none.status).toBe(404);
    const anonymous = await fetch(`${harness().baseUrl}${route('tickets', 'x')}`);
    expect(anonymous.status).toBe(403);
  });
});

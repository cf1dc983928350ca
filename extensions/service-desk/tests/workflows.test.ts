// The service desk's workflows on the main test instance: the transition matrix of its two workflows (every pair of
// states, per role, over REST and GraphQL), generated from the definitions as stored; its guards and their refusal
// messages; the ticket workflow's stamps and comment field; who of its roles reads the history and the definitions;
// the allowed-transitions endpoint for each of its roles and states. The engine itself (initial states, batches,
// transactions, one transition per move, races, read-only history, the endpoint's errors) is tested on the fixture
// domain: tests/integration/workflows.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROLE } from '../spec/service-desk/access.js';
import { asAdmin, articleIn, call, createDesk, historyOf, ticketIn, type Desk } from './fixtures.js';

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

describe("the ticket workflow's stamps and comment field", () => {
  it('stamps solved_at and closed_at, and keeps a comment in the history only', async () => {
    const id = await ticketIn(desk, 'open');
    const solve = await call(desk.users.agent.token, 'PATCH', `/items/tickets/${id}`, {
      status: 'solved',
      workflow_comment: 'fixed in 2.1',
    });
    expect(solve.status).toBe(200);
    expect((await historyOf(desk, id)).at(-1)).toMatchObject({
      to: 'solved',
      transition: 'solve',
      comment: 'fixed in 2.1',
    });
    const solved = await desk.db('tickets').where({ id }).first();
    expect([solved.workflow_comment, solved.solved_at, solved.closed_at]).toEqual([null, expect.any(Date), null]);
    expect((await call(desk.users.manager.token, 'PATCH', `/items/tickets/${id}`, { status: 'closed' })).status).toBe(
      200,
    );
    expect((await desk.db('tickets').where({ id }).first()).closed_at).toEqual(expect.any(Date));
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
});

// The workflow engine on the fixture domain (tests/fixtures/domain: the task workflow, its Member and Lead roles, a
// guard, a comment field and a stamp): the initial state of new items and the creation in history; batch updates
// checked per item; history and events written in the write's transaction (and not at all when it rolls back); one
// transition per move, the caller's, in the filter and the database (decision 0027), following an edited definition
// at once; racing moves; the read-only history; the allowed-transitions endpoint. A legal move, an undefined one and
// the guard on a single item are in platform-fixture.test.ts; the service desk's own rules are in its folder.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CONFLICT_SQLSTATE } from '../../extensions/platform/src/workflows/core/trigger-sql.js';
import { LEAD_ROLE, taskWorkflow } from '../fixtures/domain/model.js';
import { FIXTURE_PASSWORD, useFixtureInstance, type Member } from './harness/fixture.js';
import { expectErrorEnvelope, getJson } from './http.js';

const fixture = useFixtureInstance({ name: 'workflows', members: ['mia', 'max'] });
const { api, ok, members } = fixture;

let lead: Member;
let adminId: string;

beforeAll(async () => {
  const email = 'lea.lead@fixture.example.com';
  const user = await ok<{ id: string }>(fixture.admin, 'POST', '/users', {
    email,
    password: FIXTURE_PASSWORD,
    first_name: 'Lea',
    role: LEAD_ROLE,
    status: 'active',
  });
  lead = { id: user.id, email, token: await fixture.login(email) };
  adminId = (await ok<{ id: string }>(fixture.admin, 'GET', '/users/me?fields=id')).id;
});

/** A task put in `status` with SQL (inserts are not checked against the initial states there), owned by mia. */
async function taskIn(status: string, { estimate = null as number | null } = {}) {
  const id = randomUUID();
  const task = { id, title: `task in ${status}`, project: fixture.project, owner: members.mia.id, status, estimate };
  await fixture.sql('tasks').insert(task);
  return id;
}

const historyOf = (item: string) =>
  fixture.sql('workflow_history').where({ collection: 'tasks', item }).orderBy('id').select();
const movesOf = async (item: string) => (await historyOf(item)).filter((row) => row.from !== null);
/** The item's workflow events (those carrying a transition), oldest first. */
const workflowEventsOf = async (item: string) =>
  (await fixture.sql('groundwork.domain_event').where({ collection: 'tasks', item }).orderBy('seq').select()).filter(
    (event) => event.data && 'transition' in event.data,
  );
const statusOf = async (item: string) =>
  ((await fixture.sql('tasks').where({ id: item }).first()) as { status: string }).status;

interface ApiError {
  message: string;
  extensions: { code: string; refusals?: unknown[] };
}
const errorOf = (response: { body: Record<string, unknown> }) => (response.body.errors as ApiError[])[0]!;

describe('creating an item', () => {
  it('starts it in an initial state only, and records the creation with its creator and comment', async () => {
    const title = `created ${randomUUID()}`;
    const task = { title, project: fixture.project, owner: members.mia.id };
    const refused = await api(fixture.admin, 'POST', '/items/tasks', { ...task, status: 'doing' });
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatchObject({
      message: 'a new tasks item cannot start in "doing". Allowed initial states: "todo".',
      extensions: { code: 'TRANSITION_NOT_ALLOWED' },
    });
    expect(await fixture.sql('tasks').where({ title })).toEqual([]);

    const { id } = await ok<{ id: string }>(fixture.admin, 'POST', '/items/tasks', {
      ...task,
      workflow_comment: 'from the planning',
    });
    expect(await historyOf(id)).toEqual([
      expect.objectContaining({
        from: null,
        to: 'todo',
        transition: null,
        actor: adminId,
        comment: 'from the planning',
      }),
    ]);
    expect((await fixture.sql('tasks').where({ id }).first()).workflow_comment).toBeNull();
    expect(await workflowEventsOf(id)).toEqual([]); // a creation is no move
  });
});

describe('batch updates', () => {
  it('checks every item in its own state and writes nothing when one is refused', async () => {
    const todo = await taskIn('todo');
    const ready = await taskIn('doing', { estimate: 3 });
    const unestimated = await taskIn('doing');
    const response = await api(members.mia.token, 'PATCH', '/items/tasks', {
      keys: [todo, ready, unestimated],
      data: { status: 'done' },
    });
    expect(response.status).toBe(409);
    const error = errorOf(response);
    expect(error.extensions.code).toBe('TRANSITION_NOT_ALLOWED');
    // The estimated task may be finished: only the other two are refused, each for its own reason.
    expect(error.extensions.refusals).toHaveLength(2);
    expect(error.extensions.refusals).toEqual(
      expect.arrayContaining([
        { item: todo, from: 'todo', to: 'done', allowed: ['doing'] },
        { item: unestimated, from: 'doing', to: 'done', allowed: ['todo'] },
      ]),
    );
    expect(error.message).toContain(
      `tasks item ${todo} cannot move from "todo" to "done". Allowed from "todo" for you: "doing".`,
    );
    expect(error.message).toContain(
      `tasks item ${unestimated} cannot move from "doing" to "done": the task has no estimate. ` +
        'Allowed from "doing" for you: "todo".',
    );
    for (const [id, state] of [
      [todo, 'todo'],
      [ready, 'doing'],
      [unestimated, 'doing'],
    ]) {
      expect([id, await statusOf(id!), await movesOf(id!), await workflowEventsOf(id!)]).toEqual([id, state, [], []]);
    }
  });

  it('records one history row and one event per item, with the comment, and stamps each', async () => {
    const items = [await taskIn('doing', { estimate: 1 }), await taskIn('doing', { estimate: 2 })];
    const response = await api(members.mia.token, 'PATCH', '/items/tasks', {
      keys: items,
      data: { status: 'done', workflow_comment: 'shipped in 2.1' },
    });
    expect(response.status).toBe(200);
    for (const id of items) {
      expect(await movesOf(id)).toEqual([
        expect.objectContaining({
          from: 'doing',
          to: 'done',
          transition: 'finish',
          actor: members.mia.id,
          comment: 'shipped in 2.1',
        }),
      ]);
      expect((await workflowEventsOf(id)).map((event) => [event.type, event.actor, event.data])).toEqual([
        [
          'workflow.tasks.done',
          members.mia.id,
          { from: 'doing', to: 'done', comment: 'shipped in 2.1', transition: 'finish' },
        ],
      ]);
      const row = await fixture.sql('tasks').where({ id }).first();
      expect(row.workflow_comment).toBeNull(); // kept in the history, cleared on the item
      expect(row.done_at).not.toBeNull(); // the definition's stamp
    }
  });
});

describe('transactions', () => {
  it('records nothing when the write rolls back after the trigger ran', async () => {
    const id = await taskIn('todo');
    // The move passes the filter and the (BEFORE UPDATE) trigger; the foreign key then fails the same UPDATE. As
    // the admin: no role of the fixture may move a task to another project.
    const response = await api(fixture.admin, 'PATCH', `/items/tasks/${id}`, {
      status: 'doing',
      project: randomUUID(),
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).extensions.code).toBe('INVALID_FOREIGN_KEY');
    expect(await statusOf(id)).toBe('todo');
    expect(await historyOf(id)).toHaveLength(1); // the creation
    expect(await workflowEventsOf(id)).toEqual([]);
  });
});

describe('one transition per move, decided the same in the filter and the database (decision 0027)', () => {
  const moveAs = (token: string, id: string, status: string) => api(token, 'PATCH', `/items/tasks/${id}`, { status });
  const eventTypes = async (id: string) => (await workflowEventsOf(id)).map((event) => event.type);

  it("records the transition and event of the caller's role, not the first between the two states", async () => {
    // doing → done is `finish` for members (with the estimate guard), then `sign_off` for leads (no guard).
    const byLead = await taskIn('doing');
    const byMember = await taskIn('doing', { estimate: 2 });
    expect((await moveAs(lead.token, byLead, 'done')).status).toBe(200);
    expect((await moveAs(members.mia.token, byMember, 'done')).status).toBe(200);
    expect(await movesOf(byLead)).toEqual([
      expect.objectContaining({ from: 'doing', to: 'done', transition: 'sign_off', actor: lead.id }),
    ]);
    expect(await movesOf(byMember)).toEqual([
      expect.objectContaining({ from: 'doing', to: 'done', transition: 'finish', actor: members.mia.id }),
    ]);
    const [signedOff] = await workflowEventsOf(byLead);
    expect([signedOff?.type, signedOff?.data]).toEqual([
      'tasks.signed_off',
      { from: 'doing', to: 'done', comment: null, transition: 'sign_off' },
    ]);
    expect(await eventTypes(byMember)).toEqual(['workflow.tasks.done']);
  });

  it('follows an edited definition at once, in the filter and in the database', async () => {
    // Members lose `finish`; the leads' move is renamed, with another event.
    const edited = taskWorkflow.transitions
      .filter((transition) => transition.name !== 'finish')
      .map((transition) =>
        transition.name === 'sign_off' ? { ...transition, name: 'approve', event: 'tasks.approved' } : transition,
      );
    await ok(fixture.admin, 'PATCH', '/items/workflow_definitions/tasks', { transitions: edited });
    try {
      const id = await taskIn('doing', { estimate: 2 });
      const refused = await moveAs(members.mia.token, id, 'done');
      expect([refused.status, errorOf(refused).message]).toEqual([
        409,
        `tasks item ${id} cannot move from "doing" to "done". Allowed from "doing" for you: "todo".`,
      ]);
      // The trigger was made again from the edited definition: SQL acting as the member is refused too.
      await expect(
        fixture.sql('tasks').where({ id }).update({ status: 'done', user_updated: members.mia.id }),
      ).rejects.toMatchObject({ code: CONFLICT_SQLSTATE });
      expect((await moveAs(lead.token, id, 'done')).status).toBe(200);
      expect((await movesOf(id)).map((row) => row.transition)).toEqual(['approve']);
      expect(await eventTypes(id)).toEqual(['tasks.approved']);
    } finally {
      await ok(fixture.admin, 'PATCH', '/items/workflow_definitions/tasks', { transitions: taskWorkflow.transitions });
    }
    // And back: the members' `finish` again.
    const again = await taskIn('doing', { estimate: 2 });
    expect((await moveAs(members.mia.token, again, 'done')).status).toBe(200);
    expect((await movesOf(again)).map((row) => row.transition)).toEqual(['finish']);
  });
});

describe('concurrent writes', () => {
  it('never records an undefined move when two moves race on one item, and answers the loser 409', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const id = await taskIn('doing', { estimate: 1 });
      // Both moves are allowed from "doing"; from each other's target neither is defined (done → todo,
      // todo → done), so the second to commit must fail, whatever state its filter read.
      const [finish, pause] = await Promise.all([
        api(members.mia.token, 'PATCH', `/items/tasks/${id}`, { status: 'done' }),
        api(lead.token, 'PATCH', `/items/tasks/${id}`, { status: 'todo' }),
      ]);
      outcomes.push(`${finish.status}/${pause.status}`);
      const status = await statusOf(id);
      // The loser gets the 409 of the filter, computed from the state the winner left (REST; decision 0010).
      expect([finish.status, pause.status].sort()).toEqual([200, 409]);
      const loser = finish.status === 409 ? finish : pause;
      expect(errorOf(loser).message).toMatch(
        new RegExp(`^tasks item ${id} cannot move from "(done|todo)" to "(todo|done)"\\. Allowed from`),
      );
      expect((await movesOf(id)).map((row) => [row.from, row.to])).toEqual([['doing', status]]);
      expect((await workflowEventsOf(id)).map((event) => event.type)).toEqual([`workflow.tasks.${status}`]);
    }
    console.log(`racing moves (finish/pause status codes): ${outcomes.join(' ')}`);
  });
});

describe('workflow_history', () => {
  it('is read-only: a role that may read it cannot write it, and a role without access cannot read it', async () => {
    const task = await taskIn('todo');
    const read = await api(lead.token, 'GET', `/items/workflow_history?filter[item][_eq]=${task}`);
    expect(read.status).toBe(200);
    const rows = read.body.data as Array<{ id: number; to: string }>;
    expect(rows.map((row) => row.to)).toEqual(['todo']);
    expect((await api(members.mia.token, 'GET', `/items/workflow_history?filter[item][_eq]=${task}`)).status).toBe(403);
    for (const [method, route, body] of [
      ['POST', '/items/workflow_history', { collection: 'tasks', item: task, to: 'done' }],
      ['PATCH', `/items/workflow_history/${rows[0]!.id}`, { to: 'done' }],
      ['DELETE', `/items/workflow_history/${rows[0]!.id}`, undefined],
    ] as const) {
      expect([method, (await api(lead.token, method, route, body)).status]).toEqual([method, 403]);
    }
    expect((await historyOf(task)).map((row) => row.to)).toEqual(['todo']);
  });
});

describe('GET /groundwork/v1/workflows/:collection/:id/transitions', () => {
  const route = (collection: string, id: string) => `/groundwork/v1/workflows/${collection}/${id}/transitions`;
  const transitionsOf = async (token: string, id: string) => {
    const response = await api(token, 'GET', route('tasks', id));
    expect(response.status).toBe(200);
    return response.body.data;
  };
  const answer = (item: string, state: string, transitions: [string, string][], blocked: unknown[] = []) => ({
    collection: 'tasks',
    item,
    state,
    transitions: transitions.map(([name, to]) => ({ name, to })),
    blocked,
  });

  it("lists the moves the caller's role gives from the item's state", async () => {
    const todo = await taskIn('todo');
    const doing = await taskIn('doing', { estimate: 4 });
    const done = await taskIn('done', { estimate: 4 });
    expect(await transitionsOf(members.mia.token, todo)).toEqual(answer(todo, 'todo', [['start', 'doing']]));
    expect(await transitionsOf(lead.token, todo)).toEqual(answer(todo, 'todo', []));
    expect(await transitionsOf(members.mia.token, doing)).toEqual(
      answer(doing, 'doing', [
        ['pause', 'todo'],
        ['finish', 'done'],
      ]),
    );
    expect(await transitionsOf(lead.token, doing)).toEqual(
      answer(doing, 'doing', [
        ['pause', 'todo'],
        ['sign_off', 'done'],
      ]),
    );
    expect(await transitionsOf(members.mia.token, done)).toEqual(answer(done, 'done', [['reopen', 'doing']]));
    expect(await transitionsOf(lead.token, done)).toEqual(answer(done, 'done', []));
  });

  it('names the guard that blocks a move, for the role whose transition has it', async () => {
    const id = await taskIn('doing');
    expect(await transitionsOf(members.mia.token, id)).toEqual(
      answer(id, 'doing', [['pause', 'todo']], [{ name: 'finish', to: 'done', reason: 'the task has no estimate' }]),
    );
    expect(await transitionsOf(lead.token, id)).toEqual(
      answer(id, 'doing', [
        ['pause', 'todo'],
        ['sign_off', 'done'],
      ]),
    );
  });

  it('does not reveal items the caller cannot read, or whether they exist', async () => {
    const foreign = await taskIn('doing'); // mia's, without an estimate
    const forbidden = await api(members.max.token, 'GET', route('tasks', foreign));
    const missing = await api(members.max.token, 'GET', route('tasks', randomUUID()));
    expect([forbidden.status, missing.status]).toEqual([403, 403]);
    expect(forbidden.body).toEqual(missing.body);
    expect(forbidden.text).not.toContain('doing');
    // A refused move of a task the caller cannot read is Directus's 403 too, not a message naming its state.
    const patch = await api(members.max.token, 'PATCH', `/items/tasks/${foreign}`, { status: 'done' });
    expect(patch.status).toBe(403);
    expect(patch.text).not.toContain('doing');
    expect(await statusOf(foreign)).toBe('doing');
  });

  it('answers 400 for malformed input and 404 for a collection without a workflow, in the error envelope', async () => {
    const bad = await api(members.mia.token, 'GET', route('no-such!', 'x'));
    expect(bad.status).toBe(400);
    expectErrorEnvelope(bad, 'INVALID_PARAMS');
    const none = await api(members.mia.token, 'GET', route('projects', fixture.project));
    expect(none.status).toBe(404);
    expectErrorEnvelope(none, 'NOT_FOUND');
    const anonymous = await getJson(`${fixture.instance.baseUrl}${route('tasks', randomUUID())}`);
    expect(anonymous.status).toBe(403);
  });
});

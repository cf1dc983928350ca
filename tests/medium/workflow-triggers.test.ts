// The workflow trigger SQL the platform generates from a definition (core/trigger-sql.ts), installed the way the
// platform installs it (syncWorkflowTriggers), on small tables of a throwaway database, no Directus: every move of
// a help desk's ticket workflow written here, for every kind of actor (the outcome computed by transitionFor, the
// rule the filter applies), the history row and the event of each allowed move, the refusal of every other one,
// inserts, stamps, the comment field, bulk UPDATEs, rollbacks, and regeneration when the definition changes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  definitionSchema,
  eventTypeOf,
  SYSTEM_ROLE,
  type WorkflowDefinition,
} from '../../extensions/platform/src/workflows/core/definition.js';
import { transitionFor, type Actor } from '../../extensions/platform/src/workflows/core/machine.js';
import { CONFLICT_SQLSTATE } from '../../extensions/platform/src/workflows/core/trigger-sql.js';
import { workflowDefinitions } from '../../extensions/platform/src/workflows/index.js';
import { syncWorkflowTriggers } from '../../extensions/platform/src/workflows/triggers.js';
import { installPlatformSql, throwawayDatabase, type MediumDatabase } from './harness/database.js';
import { createDirectusTables } from './harness/directus-tables.js';

let db: MediumDatabase;
let sql: Knex;

/** The roles of the workflows below: the trigger knows roles by id only. */
const ROLE = { manager: randomUUID(), agent: randomUUID(), customer: randomUUID() };
const staff = [ROLE.manager, ROLE.agent];

/**
 * A help desk's ticket workflow: two `reopen`s between the same states (staff's first; customers' with a guard,
 * which the trigger does not run), `$system` may close, two stamps and a comment field.
 */
const tickets: WorkflowDefinition = definitionSchema.parse({
  collection: 'tickets',
  state_field: 'status',
  comment_field: 'workflow_comment',
  states: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'],
  initial_states: ['new'],
  transitions: [
    { name: 'open', from: 'new', to: 'open', roles: staff, guards: [] },
    { name: 'wait_for_customer', from: 'open', to: 'pending', roles: staff, guards: [] },
    { name: 'resume', from: 'pending', to: 'open', roles: staff, guards: [] },
    { name: 'hold', from: 'open', to: 'on_hold', roles: staff, guards: [] },
    { name: 'resume', from: 'on_hold', to: 'open', roles: staff, guards: [] },
    { name: 'solve', from: 'open', to: 'solved', roles: staff, guards: [] },
    { name: 'reopen', from: 'solved', to: 'open', roles: staff, guards: [] },
    { name: 'reopen', from: 'solved', to: 'open', roles: [ROLE.customer], guards: ['recently_solved'] },
    { name: 'close', from: 'solved', to: 'closed', roles: [ROLE.manager, SYSTEM_ROLE], guards: [] },
  ],
  stamps: { solved: 'solved_at', closed: 'closed_at' },
});

/** Two transitions between the same states for different roles (agents match both), one for the system. */
const probe: WorkflowDefinition = definitionSchema.parse({
  collection: 'wf_probe',
  state_field: 'status',
  states: ['draft', 'done', 'archived'],
  initial_states: ['draft'],
  transitions: [
    { name: 'staff_finish', from: 'draft', to: 'done', roles: [ROLE.agent], event: 'probe.finished' },
    { name: 'customer_finish', from: 'draft', to: 'done', roles: [ROLE.customer, ROLE.agent] },
    { name: 'auto_finish', from: 'draft', to: 'done', roles: [SYSTEM_ROLE] },
    { name: 'archive', from: 'done', to: 'archived', roles: [ROLE.manager] },
  ],
});

const SENIOR_AGENT_ROLE = randomUUID(); // a child role of agents: it inherits their transitions
const ADMIN_ROLE = randomUUID();
const ADMIN_POLICY = randomUUID();

interface Person {
  label: string;
  id: string | null;
  actor: Actor;
}
const person = (label: string, role: string | null, roles: string[], admin = false): Person => {
  const id = randomUUID();
  return { label, id, actor: { user: id, roles: role ? [role, ...roles] : roles, admin } };
};
const people = {
  manager: person('manager', ROLE.manager, []),
  agent: person('agent', ROLE.agent, []),
  senior: person('senior agent', SENIOR_AGENT_ROLE, [ROLE.agent]),
  customer: person('customer', ROLE.customer, []),
  admin: person('admin (policy on the role)', ADMIN_ROLE, [], true),
  customerAdmin: person('customer with an admin policy of their own', ROLE.customer, [], true),
  roleless: person('user without a role', null, []),
};
const system: Person = { label: 'system (no user)', id: null, actor: { user: null, roles: [], admin: false } };
const everyone: Person[] = [...Object.values(people), system];

beforeAll(async () => {
  db = await throwawayDatabase('workflows');
  sql = db.knex;
  await installPlatformSql(db);
  await createDirectusTables(sql);
  await sql('directus_roles').insert([
    { id: ROLE.manager, name: 'Manager' },
    { id: ROLE.agent, name: 'Agent' },
    { id: SENIOR_AGENT_ROLE, name: 'Senior agent', parent: ROLE.agent },
    { id: ROLE.customer, name: 'Customer' },
    { id: ADMIN_ROLE, name: 'Administrator' },
  ]);
  await sql('directus_policies').insert({ id: ADMIN_POLICY, name: 'Admin', admin_access: true, app_access: true });
  for (const one of Object.values(people)) {
    const role = one.actor.roles[0] ?? null;
    await sql('directus_users').insert({ id: one.id, email: `${randomUUID()}@example.com`, role });
  }
  await sql('directus_access').insert([
    { role: ADMIN_ROLE, policy: ADMIN_POLICY },
    { user: people.customerAdmin.id, policy: ADMIN_POLICY },
  ]);
  // The platform's history table (extensions/platform/spec/workflows.ts) and two workflowed collections.
  await sql.raw(`
    create table workflow_history (
      id bigserial primary key,
      collection varchar(64) not null,
      item varchar(128) not null,
      "from" varchar(64),
      "to" varchar(64) not null,
      transition varchar(64),
      actor uuid,
      comment text,
      at timestamptz not null default current_timestamp
    );
    create table tickets (
      id uuid primary key default gen_random_uuid(),
      subject varchar(255),
      status varchar(255) not null default 'new',
      solved_at timestamptz,
      closed_at timestamptz,
      workflow_comment text,
      user_created uuid,
      user_updated uuid
    );
    create table wf_probe (
      id serial primary key,
      status varchar(64) default 'draft',
      user_updated uuid
    );
  `);
  expect(await syncWorkflowTriggers(sql, [tickets, probe])).toEqual(['synced tickets', 'synced wf_probe']);
});

afterAll(async () => {
  await db?.drop();
});

async function ticketIn(status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const [row] = await sql('tickets')
    .insert({ status, ...extra })
    .returning('id');
  return row.id as string;
}

const historyOf = (collection: string, item: string) =>
  sql('workflow_history')
    .where({ collection, item: String(item) })
    .orderBy('id')
    .select();
const movesOf = async (collection: string, item: string) =>
  (await historyOf(collection, item)).filter((row) => row.from !== null);
const eventsOf = (collection: string, item: string) =>
  sql('groundwork.domain_event')
    .where({ collection, item: String(item) })
    .orderBy('seq')
    .select();

/** The error the UPDATE raised, or null when it went through. */
async function move(collection: string, id: string | number, to: string, by: Person, extra = {}) {
  try {
    await sql(collection)
      .where({ id })
      .update({ status: to, user_updated: by.id, ...extra });
    return null;
  } catch (error) {
    return error as { code?: string; detail?: string; message: string };
  }
}

describe('every move of the ticket workflow, for every kind of actor', () => {
  it('goes through with one history row and one event naming the transition transitionFor picks, or is refused', async () => {
    const tally = { allowed: 0, refused: 0 };
    for (const by of everyone) {
      for (const from of tickets.states) {
        for (const to of [...tickets.states.filter((state) => state !== from), 'no_such_state']) {
          const id = await ticketIn(from);
          const expected = transitionFor(tickets, from, to, by.actor);
          const error = await move('tickets', id, to, by);
          const label = `${by.label}: ${from} → ${to}`;
          const stored = await sql('tickets').where({ id }).first();
          const moves = await movesOf('tickets', id);
          const events = await eventsOf('tickets', id);
          if (expected) {
            expect([label, error?.message ?? null]).toEqual([label, null]);
            expect([label, stored.status]).toEqual([label, to]);
            expect([label, moves.map((row) => [row.from, row.to, row.transition, row.actor, row.comment])]).toEqual([
              label,
              [[from, to, expected.name, by.id, null]],
            ]);
            expect([label, events.map((event) => [event.type, event.actor, event.data])]).toEqual([
              label,
              [[eventTypeOf('tickets', expected), by.id, { from, to, comment: null, transition: expected.name }]],
            ]);
            tally.allowed += 1;
          } else {
            expect([label, error?.code]).toEqual([label, CONFLICT_SQLSTATE]);
            expect([label, error?.message]).toEqual([
              label,
              expect.stringContaining(`tickets item ${id} cannot move from "${from}" to "${to}"`),
            ]);
            expect([label, JSON.parse(error!.detail!)]).toEqual([label, { collection: 'tickets', item: id, from, to }]);
            expect([label, stored.status, moves, events]).toEqual([label, from, [], []]);
            tally.refused += 1;
          }
        }
      }
    }
    // Both outcomes were exercised (a definition or rule that allowed nothing, or everything, would show here).
    expect(tally.allowed).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('names the first transition whose roles admit the caller, each with its own event', async () => {
    const outcomes: Record<string, unknown> = {};
    for (const by of [people.agent, people.senior, people.customer, people.admin, system, people.manager]) {
      const [{ id }] = await sql('wf_probe').insert({ status: 'draft' }).returning('id');
      const error = await move('wf_probe', id, 'done', by);
      const [row] = await movesOf('wf_probe', id);
      const [event] = await eventsOf('wf_probe', id);
      outcomes[by.label] = error ? error.code : [row?.transition, event?.type, event?.data.transition];
    }
    expect(outcomes).toEqual({
      agent: ['staff_finish', 'probe.finished', 'staff_finish'],
      'senior agent': ['staff_finish', 'probe.finished', 'staff_finish'],
      customer: ['customer_finish', 'workflow.wf_probe.done', 'customer_finish'],
      'admin (policy on the role)': ['staff_finish', 'probe.finished', 'staff_finish'],
      'system (no user)': ['auto_finish', 'workflow.wf_probe.done', 'auto_finish'],
      manager: CONFLICT_SQLSTATE,
    });
    // Each agrees with the rule the filter applies.
    for (const by of [people.agent, people.senior, people.customer, people.admin, system]) {
      expect([by.label, transitionFor(probe, 'draft', 'done', by.actor)?.name]).toEqual([
        by.label,
        (outcomes[by.label] as string[])[0],
      ]);
    }
    expect(transitionFor(probe, 'draft', 'done', people.manager.actor)).toBeUndefined();
  });
});

describe('inserts', () => {
  it('record the creation (no from, no transition, the creator as actor) and publish no event', async () => {
    const creator = people.customer.id;
    const id = await ticketIn('new', { user_created: creator, workflow_comment: 'sent from the portal' });
    expect(await historyOf('tickets', id)).toEqual([
      expect.objectContaining({
        from: null,
        to: 'new',
        transition: null,
        actor: creator,
        comment: 'sent from the portal',
      }),
    ]);
    expect((await sql('tickets').where({ id }).first()).workflow_comment).toBeNull();
    expect(await eventsOf('tickets', id)).toEqual([]);
  });

  it('take the column default as the state and record it', async () => {
    const [{ id }] = await sql('tickets').insert({ subject: 'default state' }).returning('id');
    expect((await historyOf('tickets', id)).map((row) => [row.from, row.to])).toEqual([[null, 'new']]);
  });

  it('record nothing for an item created without a state, which the filter lets in (decideInitial is not asked)', async () => {
    const [{ id }] = await sql('wf_probe').insert({ status: null }).returning('id');
    expect(await historyOf('wf_probe', id)).toEqual([]);
    // It has no defined move out of "no state" either, in the database as in the filter.
    expect(await move('wf_probe', id, 'draft', people.admin)).toMatchObject({ code: CONFLICT_SQLSTATE });
  });

  it('stamp an item created in a stamped state, and keep a time it brings (imports of old items)', async () => {
    // Only the filter checks initial states (decideInitial): SQL imports may bring items in any state.
    const fresh = await ticketIn('solved');
    const imported = await ticketIn('closed', { closed_at: '2020-01-02T03:04:05Z' });
    const freshRow = await sql('tickets').where({ id: fresh }).first();
    const importedRow = await sql('tickets').where({ id: imported }).first();
    expect(freshRow.solved_at).toEqual(expect.any(Date));
    expect(Date.now() - freshRow.solved_at.getTime()).toBeLessThan(60_000);
    expect(importedRow.closed_at.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(importedRow.solved_at).toBeNull();
  });
});

describe('stamps and the comment field', () => {
  it('stamps the state entered, again on a later entry, and leaves the other stamps alone', async () => {
    const id = await ticketIn('open');
    await sql.raw('select pg_sleep(0.01)');
    expect(await move('tickets', id, 'solved', people.agent)).toBeNull();
    const first = (await sql('tickets').where({ id }).first()).solved_at as Date;
    expect(first).toEqual(expect.any(Date));
    expect(await move('tickets', id, 'open', people.agent)).toBeNull();
    expect((await sql('tickets').where({ id }).first()).solved_at).toEqual(first);
    expect(await move('tickets', id, 'solved', people.agent)).toBeNull();
    const row = await sql('tickets').where({ id }).first();
    expect(row.solved_at.getTime()).toBeGreaterThan(first.getTime());
    expect(row.closed_at).toBeNull();
    expect(await move('tickets', id, 'closed', system)).toBeNull();
    expect((await sql('tickets').where({ id }).first()).closed_at).toEqual(expect.any(Date));
  });

  it('moves the comment into the history row and the event, and clears it on the item', async () => {
    const id = await ticketIn('open');
    expect(await move('tickets', id, 'pending', people.agent, { workflow_comment: 'asked for the logs' })).toBeNull();
    expect((await movesOf('tickets', id)).map((row) => row.comment)).toEqual(['asked for the logs']);
    expect((await eventsOf('tickets', id)).map((event) => event.data.comment)).toEqual(['asked for the logs']);
    expect((await sql('tickets').where({ id }).first()).workflow_comment).toBeNull();
  });

  it('clears a comment sent without a move and records nothing; an empty comment is no comment', async () => {
    const id = await ticketIn('open');
    await sql('tickets').where({ id }).update({ workflow_comment: 'just a remark', user_updated: people.agent.id });
    expect((await sql('tickets').where({ id }).first()).workflow_comment).toBeNull();
    expect(await movesOf('tickets', id)).toEqual([]);
    expect(await move('tickets', id, 'solved', people.agent, { workflow_comment: '' })).toBeNull();
    expect((await movesOf('tickets', id)).map((row) => row.comment)).toEqual([null]);
    expect((await eventsOf('tickets', id))[0].data.comment).toBeNull();
  });

  it('leaves writes that change neither the state nor the comment alone', async () => {
    const id = await ticketIn('open');
    await sql('tickets').where({ id }).update({ subject: 'renamed', user_updated: people.customer.id });
    await sql('tickets').where({ id }).update({ status: 'open', user_updated: people.customer.id });
    expect(await movesOf('tickets', id)).toEqual([]);
    expect(await eventsOf('tickets', id)).toEqual([]);
  });
});

describe('transactions and bulk updates', () => {
  it('records nothing when the transaction that made the move rolls back', async () => {
    const id = await ticketIn('open');
    await expect(
      sql.transaction(async (trx) => {
        await trx('tickets').where({ id }).update({ status: 'solved', user_updated: people.agent.id });
        expect(await trx('workflow_history').where({ item: id }).whereNotNull('from')).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await sql('tickets').where({ id }).first()).status).toBe('open');
    expect(await movesOf('tickets', id)).toEqual([]);
    expect(await eventsOf('tickets', id)).toEqual([]);
  });

  it('records one history row and one event per row of a bulk UPDATE, and skips rows already there', async () => {
    const batch = `bulk-${randomUUID()}`;
    const rows = Array.from({ length: 400 }, (_, index) => ({
      subject: batch,
      status: index < 350 ? 'open' : 'solved',
    }));
    await sql.batchInsert('tickets', rows, 200);
    // Rows inserted as solved were stamped then; a bulk UPDATE that does not move them must not stamp them again.
    const stampedBefore = await sql('tickets').where({ subject: batch, status: 'solved' }).select('id', 'solved_at');
    expect(stampedBefore).toHaveLength(50);
    await sql.raw('select pg_sleep(0.01)');
    const updated = await sql('tickets')
      .where({ subject: batch })
      .update({ status: 'solved', user_updated: people.agent.id, workflow_comment: 'release 2.1' });
    expect(updated).toBe(400);
    const ids = (await sql('tickets').where({ subject: batch }).select('id')).map((row) => row.id as string);
    const history = await sql('workflow_history').whereIn('item', ids).whereNotNull('from').select();
    expect(history).toHaveLength(350);
    expect(new Set(history.map((row) => row.item)).size).toBe(350);
    expect(
      history.every(
        (row) =>
          row.from === 'open' &&
          row.to === 'solved' &&
          row.transition === 'solve' &&
          row.actor === people.agent.id &&
          row.comment === 'release 2.1',
      ),
    ).toBe(true);
    const events = await sql('groundwork.domain_event').where({ collection: 'tickets' }).whereIn('item', ids);
    expect(events).toHaveLength(350);
    expect(new Set(events.map((event) => `${event.type}:${event.item}`)).size).toBe(350);
    expect(
      await sql('tickets')
        .whereIn(
          'id',
          stampedBefore.map((row) => row.id),
        )
        .select('id', 'solved_at'),
    ).toEqual(expect.arrayContaining(stampedBefore));
    expect(await sql('tickets').where({ subject: batch }).whereNull('solved_at')).toEqual([]);
    expect(await sql('tickets').where({ subject: batch }).whereNotNull('workflow_comment')).toEqual([]);
  });

  it('refuses a whole bulk UPDATE when one row cannot make the move, and records nothing', async () => {
    const batch = `bulk-refused-${randomUUID()}`;
    const rows = Array.from({ length: 100 }, (_, index) => ({ subject: batch, status: index === 57 ? 'new' : 'open' }));
    await sql.batchInsert('tickets', rows, 100);
    const refused = sql('tickets')
      .where({ subject: batch })
      .update({ status: 'pending', user_updated: people.agent.id });
    await expect(refused).rejects.toMatchObject({ code: CONFLICT_SQLSTATE });
    const ids = (await sql('tickets').where({ subject: batch }).select('id')).map((row) => row.id as string);
    expect(await sql('workflow_history').whereIn('item', ids).whereNotNull('from')).toEqual([]);
    expect(await sql('groundwork.domain_event').whereIn('item', ids)).toEqual([]);
    expect(await sql('tickets').where({ subject: batch, status: 'pending' })).toEqual([]);
  });
});

describe('regenerating from the definitions', () => {
  const regen = (name: string): WorkflowDefinition =>
    definitionSchema.parse({
      collection: name,
      state_field: 'status',
      states: ['draft', 'done'],
      initial_states: ['draft'],
      transitions: [{ name: 'finish', from: 'draft', to: 'done', roles: [ROLE.agent] }],
    });
  let table: string;
  let definition: WorkflowDefinition;

  const triggersOn = async (name: string) =>
    (
      await sql.raw(
        `select t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where c.relname = ? and not t.tgisinternal order by t.tgname`,
        [name],
      )
    ).rows.map((row: { tgname: string }) => row.tgname);
  const draftItem = async () => (await sql(table).insert({ status: 'draft' }).returning('id'))[0].id as number;

  beforeEach(async () => {
    table = `wf_regen_${randomUUID().slice(0, 8)}`;
    definition = regen(table);
    await sql.raw(`create table ?? (id serial primary key, status varchar(64), user_updated uuid)`, [table]);
  });

  it('replaces the function and its triggers when the definition changes, and only then', async () => {
    expect(await syncWorkflowTriggers(sql, [tickets, probe, definition])).toEqual([`synced ${table}`]);
    expect(await syncWorkflowTriggers(sql, [tickets, probe, definition])).toEqual([]);
    const before = await draftItem();
    expect(await move(table, before, 'done', people.agent)).toBeNull();
    expect((await movesOf(table, String(before))).map((row) => row.transition)).toEqual(['finish']);

    // Changed: the move is now the customers', under another name and event.
    const changed = definitionSchema.parse({
      ...definition,
      transitions: [{ name: 'customer_done', from: 'draft', to: 'done', roles: [ROLE.customer], event: 'regen.done' }],
    });
    expect(await syncWorkflowTriggers(sql, [tickets, probe, changed])).toEqual([`synced ${table}`]);
    expect(await triggersOn(table)).toEqual(['groundwork_workflow_insert', 'groundwork_workflow_update']);
    const after = await draftItem();
    expect(await move(table, after, 'done', people.agent)).toMatchObject({ code: CONFLICT_SQLSTATE });
    expect(await move(table, after, 'done', people.customer)).toBeNull();
    expect((await movesOf(table, String(after))).map((row) => row.transition)).toEqual(['customer_done']);
    expect((await eventsOf(table, String(after))).map((event) => event.type)).toEqual(['regen.done']);
    // The other collections' triggers were left as they were.
    expect(await triggersOn('tickets')).toEqual(['groundwork_workflow_insert', 'groundwork_workflow_update']);
  });

  it('warns of a workflowed table without user_updated (the trigger could not name who moves an item)', async () => {
    const warnings: string[] = [];
    await syncWorkflowTriggers(sql, [tickets, probe, definition], { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
    await sql.raw('alter table ?? drop column user_updated', [table]);
    await syncWorkflowTriggers(sql, [tickets, probe, definition], { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringContaining(`${table} has no user_updated field`)]);
  });

  it('follows a new column: the comment field gets its handling once the table has it', async () => {
    const withComment = definitionSchema.parse({ ...definition, comment_field: 'note' });
    await syncWorkflowTriggers(sql, [tickets, probe, withComment]);
    await sql.raw('alter table ?? add column note text', [table]);
    expect(await syncWorkflowTriggers(sql, [tickets, probe, withComment])).toEqual([`synced ${table}`]);
    const id = await draftItem();
    expect(await move(table, id, 'done', people.agent, { note: 'why' })).toBeNull();
    expect((await movesOf(table, String(id))).map((row) => row.comment)).toEqual(['why']);
    expect((await sql(table).where({ id }).first()).note).toBeNull();
  });

  it('drops the triggers and the function of a collection whose definition is gone', async () => {
    await syncWorkflowTriggers(sql, [tickets, probe, definition]);
    expect(await syncWorkflowTriggers(sql, [tickets, probe])).toEqual([`dropped ${table}`]);
    expect(await triggersOn(table)).toEqual([]);
    const functions = await sql.raw('select 1 from pg_proc where proname = ?', [`groundwork_workflow_${table}`]);
    expect(functions.rows).toEqual([]);
    const id = await draftItem();
    expect(await move(table, id, 'done', people.customer)).toBeNull();
    expect(await historyOf(table, String(id))).toEqual([]);
  });

  it('installs no trigger on a table without the state field', async () => {
    const elsewhere = definitionSchema.parse({ ...definition, state_field: 'stage' });
    expect(await syncWorkflowTriggers(sql, [tickets, probe, elsewhere])).toEqual([]);
    expect(await triggersOn(table)).toEqual([]);
  });
});

describe('the definition store', () => {
  it('syncs the triggers from the stored rows, and keeps the last good trigger when a row stops parsing', async () => {
    const table = `wf_store_${randomUUID().slice(0, 8)}`;
    await sql.raw(`create table ?? (id serial primary key, status varchar(64), user_updated uuid)`, [table]);
    await sql.raw(`
      create table if not exists workflow_definitions (
        collection varchar(64) primary key,
        state_field varchar(64) not null,
        comment_field varchar(64),
        states json not null,
        initial_states json not null,
        transitions json not null,
        stamps json
      )`);
    const stored = {
      collection: table,
      state_field: 'status',
      states: JSON.stringify(['draft', 'done']),
      initial_states: JSON.stringify(['draft']),
      transitions: JSON.stringify([{ name: 'finish', from: 'draft', to: 'done', roles: [ROLE.agent], guards: [] }]),
    };
    await sql('workflow_definitions').insert([
      stored,
      ...[tickets, probe].map((one) => ({
        ...one,
        states: JSON.stringify(one.states),
        initial_states: JSON.stringify(one.initial_states),
        transitions: JSON.stringify(one.transitions),
        stamps: one.stamps ? JSON.stringify(one.stamps) : null,
      })),
    ]);
    const warnings: object[] = [];
    // The store as the hook makes it: each new set of definitions syncs the triggers.
    const store = workflowDefinitions(sql, { info: () => undefined, warn: (details) => warnings.push(details) });
    expect([...(await store.get()).byCollection.keys()].sort()).toEqual([table, 'tickets', 'wf_probe'].sort());
    const id = (await sql(table).insert({ status: 'draft' }).returning('id'))[0].id as number;
    expect(await move(table, id, 'done', people.customer)).toMatchObject({ code: CONFLICT_SQLSTATE });

    // An edit that no longer parses (a transition to a state that does not exist): skipped by the hook, logged.
    await sql('workflow_definitions')
      .where({ collection: table })
      .update({
        transitions: JSON.stringify([{ name: 'finish', from: 'draft', to: 'gone', roles: [ROLE.agent] }]),
      });
    store.invalidate();
    expect((await store.get()).byCollection.has(table)).toBe(false);
    expect(warnings).toEqual([{ collection: table, issues: 1 }]);
    // The database still refuses what the last good definition did not allow.
    expect(await move(table, id, 'done', people.customer)).toMatchObject({ code: CONFLICT_SQLSTATE });
    expect(await move(table, id, 'done', people.agent)).toBeNull();
    expect((await movesOf(table, String(id))).map((row) => row.transition)).toEqual(['finish']);

    // Once the broken row is deleted, nothing governs the collection any more: its triggers go.
    await sql('workflow_definitions').where({ collection: table }).delete();
    store.invalidate();
    await store.get();
    const next = (await sql(table).insert({ status: 'draft' }).returning('id'))[0].id as number;
    expect(await move(table, next, 'done', people.customer)).toBeNull();
    expect(await historyOf(table, String(next))).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { definitionSchema, eventTypeOf, fieldsToRead, SYSTEM_ROLE } from './definition.js';
import {
  decideInitial,
  decideTransition,
  roleAllows,
  transitionFor,
  transitionsFor,
  type Actor,
  type GuardCheck,
} from './machine.js';

const AGENT = 'role-agent';
const CUSTOMER = 'role-customer';
const definition = definitionSchema.parse({
  collection: 'tickets',
  state_field: 'status',
  comment_field: 'workflow_comment',
  states: ['new', 'open', 'solved', 'closed'],
  initial_states: ['new'],
  transitions: [
    { name: 'open', from: 'new', to: 'open', roles: [AGENT] },
    { name: 'solve', from: 'open', to: 'solved', roles: [AGENT] },
    { name: 'close', from: 'solved', to: 'closed', roles: [SYSTEM_ROLE] },
    { name: 'reopen', from: 'solved', to: 'open', roles: [AGENT] },
    { name: 'reopen', from: 'solved', to: 'open', roles: [CUSTOMER], guards: ['recent'] },
  ],
  stamps: { solved: 'solved_at' },
});

const agent: Actor = { user: 'u1', roles: [AGENT], admin: false };
const customer: Actor = { user: 'u2', roles: [CUSTOMER], admin: false };
const admin: Actor = { user: 'u3', roles: [], admin: true };
const system: Actor = { user: null, roles: [], admin: false };
const now = new Date('2026-06-10T00:00:00Z');
const recent: GuardCheck = (guard, input) =>
  guard === 'recent' && now.getTime() - new Date(String(input.item.solved_at)).getTime() > 7 * 86400_000
    ? 'only within 7 days of being solved'
    : null;

describe('definition', () => {
  it('rejects transitions and initial states that name unknown states', () => {
    const result = definitionSchema.safeParse({
      collection: 'x',
      state_field: 's',
      states: ['a'],
      initial_states: ['b'],
      transitions: [{ name: 't', from: 'a', to: 'c', roles: [] }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['initial_states.0', 'transitions.0.to']);
  });

  it('rejects a transition to the same state', () => {
    const bad = { ...definition, transitions: [{ name: 'x', from: 'new', to: 'new', roles: [] }] };
    expect(definitionSchema.safeParse(bad).success).toBe(false);
  });

  it('names event types after the target state unless a transition names its own', () => {
    expect(eventTypeOf('tickets', definition.transitions[1]!)).toBe('workflow.tickets.solved');
    expect(eventTypeOf('tickets', { ...definition.transitions[1]!, event: 'custom.solved' })).toBe('custom.solved');
  });

  it('reads the state field and every field a guard declares', () => {
    expect(fieldsToRead(definition, (guard) => (guard === 'recent' ? ['solved_at'] : []))).toEqual([
      'status',
      'solved_at',
    ]);
  });
});

describe('roles', () => {
  it('lets admins make every defined move and the system only $system moves', () => {
    const close = definition.transitions[2]!;
    expect(roleAllows(close, admin)).toBe(true);
    expect(roleAllows(close, system)).toBe(true);
    expect(roleAllows(close, agent)).toBe(false);
    expect(roleAllows(definition.transitions[0]!, system)).toBe(false);
  });
});

describe('transitionsFor', () => {
  it('lists the moves from a state for the actor', () => {
    const item = { solved_at: '2026-06-09T00:00:00Z' };
    const list = (actor: Actor) =>
      transitionsFor(definition, 'solved', actor, { item, now, check: recent }).allowed.map((t) => t.to);
    expect(list(agent)).toEqual(['open']);
    expect(list(customer)).toEqual(['open']);
    expect(list(system)).toEqual(['closed']);
    expect(list(admin)).toEqual(['closed', 'open']);
  });

  it('reports a guard refusal, unless another entry allows the same move', () => {
    const item = { solved_at: '2026-05-01T00:00:00Z' };
    const forCustomer = transitionsFor(definition, 'solved', customer, { item, now, check: recent });
    expect(forCustomer.allowed).toEqual([]);
    expect(forCustomer.blocked.map((b) => b.reason)).toEqual(['only within 7 days of being solved']);
    const both: Actor = { ...customer, roles: [CUSTOMER, AGENT] };
    const forBoth = transitionsFor(definition, 'solved', both, { item, now, check: recent });
    expect(forBoth.allowed.map((t) => t.to)).toEqual(['open']);
    expect(forBoth.blocked).toEqual([]);
  });
});

describe('decideTransition', () => {
  const item = (state: string, fields: Record<string, unknown> = {}) => ({ id: 7, state, fields });

  it('allows a defined move for the role', () => {
    const decision = decideTransition(definition, item('new'), 'open', agent, { now, check: recent });
    expect(decision).toEqual({ ok: true, transition: definition.transitions[0] });
  });

  it('refuses with the moves the actor may make instead', () => {
    const decision = decideTransition(definition, item('open'), 'closed', agent, { now, check: recent });
    expect(decision).toEqual({
      ok: false,
      allowed: ['solved'],
      message: 'tickets item 7 cannot move from "open" to "closed". Allowed from "open" for you: "solved".',
    });
  });

  it('says "none" when the actor may make no move', () => {
    const decision = decideTransition(definition, item('open'), 'solved', customer, { now, check: recent });
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.message).toMatch(/Allowed from "open" for you: none\.$/);
  });

  it('gives the guard reason', () => {
    const old = item('solved', { solved_at: '2026-05-01T00:00:00Z' });
    const decision = decideTransition(definition, old, 'open', customer, { now, check: recent });
    expect(decision.ok).toBe(false);
    if (!decision.ok) {
      expect(decision.message).toBe(
        'tickets item 7 cannot move from "solved" to "open": only within 7 days of being solved. ' +
          'Allowed from "solved" for you: none.',
      );
    }
  });

  it('names an unknown target state', () => {
    const decision = decideTransition(definition, item('new'), 'bogus', agent, { now, check: recent });
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.message).toContain('("bogus" is not a state of this workflow)');
  });
});

describe('decideInitial', () => {
  it('accepts initial states only', () => {
    expect(decideInitial(definition, 'new')).toEqual({ ok: true });
    expect(decideInitial(definition, 'open')).toEqual({
      ok: false,
      allowed: ['new'],
      message: 'a new tickets item cannot start in "open". Allowed initial states: "new".',
    });
  });
});

describe('the transition of a move', () => {
  // Two transitions between the same states: the first one whose roles admit the actor is the move's transition.
  const twoWays = definitionSchema.parse({
    ...definition,
    transitions: [
      { name: 'staff_reopen', from: 'solved', to: 'open', roles: [AGENT], event: 'tickets.reopened_by_staff' },
      { name: 'customer_reopen', from: 'solved', to: 'open', roles: [CUSTOMER], guards: ['recent'] },
      { name: 'any_reopen', from: 'solved', to: 'open', roles: [AGENT, CUSTOMER] },
    ],
  });
  const solved = { id: 't1', state: 'solved', fields: { solved_at: '2026-06-05T00:00:00Z' } };

  it('is the first transition between the states whose roles admit the actor', () => {
    expect(transitionFor(twoWays, 'solved', 'open', agent)?.name).toBe('staff_reopen');
    expect(transitionFor(twoWays, 'solved', 'open', customer)?.name).toBe('customer_reopen');
    expect(transitionFor(twoWays, 'solved', 'open', admin)?.name).toBe('staff_reopen');
    expect(transitionFor(twoWays, 'solved', 'open', system)).toBeUndefined();
  });

  it('is decided by its own guards, with no later transition as a fallback', () => {
    const late = { ...solved, fields: { solved_at: '2026-05-01T00:00:00Z' } };
    const decision = decideTransition(twoWays, late, 'open', customer, { now, check: recent });
    // any_reopen would let the customer through; the customer's move is customer_reopen, whose guard refuses.
    expect(decision).toMatchObject({ ok: false, allowed: [] });
    expect(decideTransition(twoWays, solved, 'open', customer, { now, check: recent })).toMatchObject({
      ok: true,
      transition: { name: 'customer_reopen' },
    });
    expect(decideTransition(twoWays, late, 'open', agent, { now, check: recent })).toMatchObject({
      ok: true,
      transition: { name: 'staff_reopen' },
    });
  });
});

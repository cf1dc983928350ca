// The state machine: which transitions an actor may make from a state, and the refusal message when a write
// asks for another. Pure: guards come in as a function, the clock as a value.
import { SYSTEM_ROLE, type Transition, type WorkflowDefinition } from './definition.js';

export interface Actor {
  user: string | null;
  /** The user's role ids (Directus 11: the role and its parents). */
  roles: string[];
  admin: boolean;
}

/** What a guard sees. `item` holds the stored fields the guard declared. */
export interface GuardInput {
  collection: string;
  item: Record<string, unknown>;
  from: string;
  to: string;
  actor: Actor;
  now: Date;
}

/** A guard passes (null) or says why the move is refused, in words for the user. */
export type GuardCheck = (guard: string, input: GuardInput) => string | null;

export interface Blocked {
  transition: Transition;
  reason: string;
}

/** The actor may make the transition as far as roles go (admins every defined move; no user = `$system`). */
export function roleAllows(transition: Transition, actor: Actor): boolean {
  if (actor.admin) return true;
  if (actor.user === null && transition.roles.includes(SYSTEM_ROLE)) return true;
  return actor.roles.some((role) => transition.roles.includes(role));
}

/**
 * The transition a move from `from` to `to` is for this actor: the first of the definition's transitions between
 * those states whose roles admit the actor. Its guards then decide; a later transition between the same states is
 * never a fallback. The database trigger makes the same choice (core/trigger-sql.ts), so history and the event
 * name the transition the filter allowed.
 */
export function transitionFor(
  definition: WorkflowDefinition,
  from: string,
  to: string,
  actor: Actor,
): Transition | undefined {
  return definition.transitions.find(
    (transition) => transition.from === from && transition.to === to && roleAllows(transition, actor),
  );
}

/** Transitions from `from` the actor may make now, and those their role allows but a guard refuses. */
export function transitionsFor(
  definition: WorkflowDefinition,
  from: string,
  actor: Actor,
  context: { item: Record<string, unknown>; now: Date; check: GuardCheck },
): { allowed: Transition[]; blocked: Blocked[] } {
  const allowed: Transition[] = [];
  const blocked: Blocked[] = [];
  const targets = new Set(definition.transitions.filter((t) => t.from === from).map((t) => t.to));
  for (const to of targets) {
    const transition = transitionFor(definition, from, to, actor);
    if (!transition) continue;
    const input: GuardInput = {
      collection: definition.collection,
      item: context.item,
      from,
      to,
      actor,
      now: context.now,
    };
    const reason = transition.guards.map((guard) => context.check(guard, input)).find((r) => r !== null) ?? null;
    if (reason === null) allowed.push(transition);
    else blocked.push({ transition, reason });
  }
  return { allowed, blocked };
}

export type Decision = { ok: true; transition: Transition } | { ok: false; message: string; allowed: string[] };

/** Whether the actor may move one item from `from` to `to`; the refusal lists what they may do instead. */
export function decideTransition(
  definition: WorkflowDefinition,
  item: { id: string | number; state: string; fields: Record<string, unknown> },
  to: string,
  actor: Actor,
  context: { now: Date; check: GuardCheck },
): Decision {
  const { allowed, blocked } = transitionsFor(definition, item.state, actor, { ...context, item: item.fields });
  const transition = allowed.find((candidate) => candidate.to === to);
  if (transition) return { ok: true, transition };
  const targets = allowed.map((candidate) => candidate.to);
  const because = blocked.find((b) => b.transition.to === to);
  const head = `${definition.collection} item ${item.id} cannot move from "${item.state}" to "${to}"`;
  const reason = because
    ? `: ${because.reason}`
    : !definition.states.includes(to)
      ? ` ("${to}" is not a state of this workflow)`
      : '';
  const options = targets.length ? targets.map((state) => `"${state}"`).join(', ') : 'none';
  return {
    ok: false,
    allowed: targets,
    message: `${head}${reason}. Allowed from "${item.state}" for you: ${options}.`,
  };
}

/** Whether a new item may start in `state`. */
export function decideInitial(
  definition: WorkflowDefinition,
  state: string,
): { ok: true } | { ok: false; message: string; allowed: string[] } {
  if (definition.initial_states.includes(state)) return { ok: true };
  const options = definition.initial_states.map((s) => `"${s}"`).join(', ');
  return {
    ok: false,
    allowed: definition.initial_states,
    message: `a new ${definition.collection} item cannot start in "${state}". Allowed initial states: ${options}.`,
  };
}

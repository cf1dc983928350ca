// A workflow definition as staff store it (one row of workflow_definitions), parsed and checked with zod. Pure.
import { z } from 'zod';

/** The pseudo-role of writes made without a user (jobs, system operations). */
export const SYSTEM_ROLE = '$system';

const name = z.string().min(1).max(64);

export const transitionSchema = z.object({
  /** Short verb for the move, e.g. `solve`, `reopen`; events carry it. */
  name,
  from: name,
  to: name,
  /** Role ids allowed to make the move, and/or `$system`. Admins may make every defined move. */
  roles: z.array(z.string().min(1)),
  /** Guard names (code registered under that name) that must all pass. */
  guards: z.array(name).default([]),
  /** Event type published on the move; default `workflow.<collection>.<to>`. */
  event: z.string().min(1).nullable().optional(),
});

export const definitionSchema = z
  .object({
    collection: name,
    state_field: name,
    /** A field clients may set with the write; the history row keeps it and the database clears it. */
    comment_field: name.nullable().optional(),
    states: z.array(name).min(1),
    initial_states: z.array(name).min(1),
    transitions: z.array(transitionSchema),
    /** state → timestamp field set when an item enters that state, e.g. `{ "solved": "solved_at" }`. */
    stamps: z.record(name, name).nullable().optional(),
  })
  .superRefine((definition, ctx) => {
    const states = new Set(definition.states);
    const check = (state: string, path: (string | number)[]) => {
      if (!states.has(state)) ctx.addIssue({ code: 'custom', path, message: `"${state}" is not one of the states` });
    };
    definition.initial_states.forEach((state, index) => check(state, ['initial_states', index]));
    definition.transitions.forEach((transition, index) => {
      check(transition.from, ['transitions', index, 'from']);
      check(transition.to, ['transitions', index, 'to']);
      if (transition.from === transition.to) {
        ctx.addIssue({ code: 'custom', path: ['transitions', index], message: 'a transition changes the state' });
      }
    });
    Object.keys(definition.stamps ?? {}).forEach((state) => check(state, ['stamps', state]));
  });

export type Transition = z.infer<typeof transitionSchema>;
export type WorkflowDefinition = z.infer<typeof definitionSchema>;

/** The event type a transition publishes. */
export function eventTypeOf(collection: string, transition: Transition): string {
  return transition.event ?? `workflow.${collection}.${transition.to}`;
}

/** Field names guards and the state machine need from the stored item. */
export function fieldsToRead(definition: WorkflowDefinition, guardFields: (guard: string) => string[]): string[] {
  const fields = new Set([definition.state_field]);
  for (const transition of definition.transitions) {
    for (const guard of transition.guards) for (const field of guardFields(guard)) fields.add(field);
  }
  return [...fields];
}

// Guards are code, named in definitions. Bundles do not share module state, so the registry lives on globalThis:
// the service-desk bundle (or any other) registers its domain guards here by importing this file, which compiles a
// copy of these few lines into its own bundle, all pointing at the same object.
import type { GuardCheck, GuardInput } from './core/machine.js';

export interface Guard {
  /** Stored fields of the item the guard reads (the enforcement hook reads them with the state). */
  fields: string[];
  /** null: the move may go on; otherwise why not, in words for the user. */
  check(input: GuardInput): string | null;
}

interface WorkflowRegistry {
  guards: Map<string, Guard>;
}

const KEY = Symbol.for('groundwork.workflows');

export function workflowRegistry(): WorkflowRegistry {
  const scope = globalThis as unknown as Record<symbol, WorkflowRegistry | undefined>;
  return (scope[KEY] ??= { guards: new Map() });
}

export function registerGuard(name: string, guard: Guard): void {
  workflowRegistry().guards.set(name, guard);
}

export function guardFields(name: string): string[] {
  return workflowRegistry().guards.get(name)?.fields ?? [];
}

/** Runs registered guards; a name nobody registered refuses the move (fail closed). */
export const runGuard: GuardCheck = (name, input) => {
  const guard = workflowRegistry().guards.get(name);
  if (!guard) return `the guard "${name}" is not available`;
  return guard.check(input);
};

/** Generic guards of the platform. */
export function registerPlatformGuards(): void {
  // Four-eyes rule on items with Directus's user_created field: whoever created it may not make this move.
  registerGuard('not_creator', {
    fields: ['user_created'],
    check: ({ item, actor }) =>
      actor.user !== null && item.user_created === actor.user ? 'the creator of the item may not do this' : null,
  });
}

// The workflows capability, shared by the hook and the endpoint entries of this bundle (one module instance per
// bundle): the definition store with its trigger sync, and the enforcement filters.
import type { Knex } from 'knex';
import type { WorkflowDefinition } from './core/definition.js';
import { createDefinitionStore } from './definitions.js';
import { syncWorkflowTriggers } from './triggers.js';

type Logger = { info(details: object, message: string): void; warn(details: object, message: string): void };

let store: ReturnType<typeof createDefinitionStore> | null = null;

/** One store per bundle; the first caller's knex and logger are used (both entries get the same ones). */
export function workflowDefinitions(database: Knex, logger: Logger) {
  store ??= createDefinitionStore(database, logger, async (loaded) => {
    const definitions: WorkflowDefinition[] = [...loaded.byCollection.values()];
    const changed = await syncWorkflowTriggers(database, definitions, {
      keep: loaded.invalid,
      warn: (message) => logger.warn({}, message),
    });
    if (changed.length) logger.info({ changed }, 'workflow triggers synced');
  });
  return store;
}

export { registerGuard, registerPlatformGuards, type Guard } from './guards.js';

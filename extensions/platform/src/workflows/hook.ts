// Registers the workflows capability on Directus's events: enforcement filters on every write, definition reloads.
// Always on: no setting turns enforcement off (decision 0024).
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { Application } from 'express';
import { transitionConflictMiddleware } from './conflicts.js';
import { createEnforcement } from './enforce.js';
import { registerPlatformGuards } from './guards.js';
import { workflowDefinitions } from './index.js';
import { DEFINITIONS_TABLE } from './definitions.js';

export function registerWorkflows({ filter, action, init }: RegisterFunctions, context: HookExtensionContext): void {
  const logger = context.logger.child({ capability: 'workflows' });
  registerPlatformGuards();
  const store = workflowDefinitions(context.database, logger);
  const enforcement = createEnforcement({
    definitions: () => store.get(),
    ItemsService: context.services.ItemsService,
  });
  filter('items.create', (payload, meta, ctx) =>
    enforcement.onCreate(payload as Record<string, unknown>, meta as { collection: string }, ctx as never),
  );
  filter('items.update', (payload, meta, ctx) =>
    enforcement.onUpdate(
      payload as Record<string, unknown>,
      meta as { collection: string; keys: (string | number)[] },
      ctx as never,
    ),
  );
  for (const event of ['create', 'update', 'delete']) {
    action(`${DEFINITIONS_TABLE}.items.${event}`, () => store.invalidate());
  }
  // After Directus's own routes, before its error handler: a race refused by the trigger becomes a 409.
  init('routes.custom.before', (meta) => {
    (meta.app as Application).use(transitionConflictMiddleware(context.database, () => store.get()));
  });
  // Triggers follow the definitions from boot on, also for writes that skip the hooks.
  init('app.after', () => {
    store.get().catch((error: unknown) => logger.warn({ err: error }, 'could not load workflow definitions'));
  });
}

// HTTP adapter: GET /groundwork/v1/workflows/:collection/:id/transitions, the moves the caller may make now.
import type { EndpointExtensionContext } from '@directus/types';
import type { Router } from 'express';
import { NotFoundError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { fieldsToRead } from './core/definition.js';
import { transitionsParams } from './core/contract.js';
import { transitionsFor } from './core/machine.js';
import type { LoadedDefinitions } from './definitions.js';
import { actorOf } from './enforce.js';
import { guardFields, runGuard } from './guards.js';

export function registerWorkflowRoutes(
  router: Router,
  context: EndpointExtensionContext,
  definitions: () => Promise<LoadedDefinitions>,
): void {
  router.get(
    '/v1/workflows/:collection/:id/transitions',
    route(async (req, res) => {
      const { collection, id } = parseInput(transitionsParams, req.params, 'params');
      const schema = req.schema!;
      const definition = (await definitions()).byCollection.get(collection);
      if (!definition || !schema.collections[collection]) throw new NotFoundError({ what: 'Workflow' });
      const primaryKey = schema.collections[collection].primary;
      // The caller's accountability first: an item they cannot read is Directus's 403, whether or not it exists.
      const service = new context.services.ItemsService(collection, {
        schema,
        accountability: req.accountability ?? null,
      });
      await service.readOne(id, { fields: [primaryKey] });
      // Then the state and the guards' fields with the root knex: guards may read fields the caller cannot,
      // and only their verdict is returned.
      const row = (await context
        .database(collection)
        .select(primaryKey, ...fieldsToRead(definition, guardFields))
        .where(primaryKey, id)
        .first()) as Record<string, unknown>;
      const state = String(row[definition.state_field]);
      const { allowed, blocked } = transitionsFor(definition, state, actorOf(req.accountability), {
        item: row,
        now: new Date(),
        check: runGuard,
      });
      res.json({
        data: {
          collection,
          item: String(row[primaryKey]),
          state,
          transitions: allowed.map((transition) => ({ name: transition.name, to: transition.to })),
          blocked: blocked.map(({ transition, reason }) => ({ name: transition.name, to: transition.to, reason })),
        },
      });
    }),
  );
}

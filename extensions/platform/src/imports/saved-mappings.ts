// Saved import mappings (decision 0058): routes to list, create, rename/replace and delete one's own (admins: all;
// another user's is the 404 an unknown id gets), and the resolution of mapping_id= shared by the import route and the
// Flow operation "Import file".
import { randomUUID } from 'node:crypto';
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import type { Request, Response, Router } from 'express';
import { ConflictError, ForbiddenError, InvalidCredentialsError, NotFoundError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import {
  readableOptions,
  savedMappingCreate,
  savedMappingParams,
  savedMappingsQuery,
  savedMappingUpdate,
  withSavedOptions,
  type SavedMapping,
} from './core/saved.js';
import { refused } from './import-file.js';
import { installImportRuns, savedMappingStore, type MappingCaller, type SavedMappingRow } from './store.js';
import { isDataCollection } from '../shared/core/collections.js';

export const SAVED_MAPPINGS_PATH = '/v1/imports/saved-mappings';

const callerOf = (accountability: Accountability): MappingCaller => ({
  user: accountability.user ?? null,
  admin: accountability.admin === true,
});

function view(row: SavedMappingRow): SavedMapping {
  return {
    id: row.id,
    name: row.name,
    collection: row.collection,
    user: row.user_id,
    options: readableOptions(row.options),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The same name twice for one owner (the unique index) is a 409, not a 500. */
async function uniqueName<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === '23505')
      throw new ConflictError({ reason: 'You have a saved mapping of this name already.' });
    throw error;
  }
}

/** A collection an import may target: not a system collection, and one the schema has. */
function importable(schema: SchemaOverview, collection: string): void {
  if (!isDataCollection(schema, collection)) throw new ForbiddenError();
}

/**
 * The import's options with mapping_id resolved: the saved mapping (the caller's own, or any for an admin; else a 404)
 * fills every option the request does not give. A mapping saved for another collection is refused (400).
 */
export async function resolveSavedOptions(
  database: Knex,
  accountability: Accountability,
  collection: string,
  given: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const id = given['mapping_id'];
  if (id === undefined || id === '') return given;
  const { id: mappingId } = parseInput(savedMappingParams, { id }, 'body');
  const saved = await savedMappingStore(database).get(callerOf(accountability), mappingId);
  if (!saved) throw new NotFoundError({ what: 'Saved mapping' });
  if (saved.collection !== collection)
    throw refused('mapping_id', `This saved mapping is for ${saved.collection}, not ${collection}.`);
  return withSavedOptions(saved.options, given);
}

export function registerSavedMappingRoutes(router: Router, database: Knex): void {
  const store = savedMappingStore(database);
  let installed: Promise<void> | null = null;
  const install = () =>
    (installed ??= installImportRuns(database).catch((error: unknown) => {
      installed = null;
      throw error;
    }));
  const signedIn = (req: Request) => {
    const accountability = req.accountability as Accountability | undefined;
    if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
    return accountability;
  };
  const found = async (caller: MappingCaller, id: string) => {
    const row = await store.get(caller, id);
    if (!row) throw new NotFoundError({ what: 'Saved mapping' });
    return row;
  };

  router.get(
    SAVED_MAPPINGS_PATH,
    route(async (req: Request, res: Response) => {
      const caller = callerOf(signedIn(req));
      const { collection } = parseInput(savedMappingsQuery, req.query, 'query');
      res.json({ data: (await store.list(caller, collection)).map(view) });
    }),
  );

  router.post(
    SAVED_MAPPINGS_PATH,
    route(async (req: Request, res: Response) => {
      const accountability = signedIn(req);
      const body = parseInput(savedMappingCreate, req.body, 'body');
      importable(req.schema!, body.collection);
      await install();
      const id = randomUUID();
      await uniqueName(() =>
        store.create({
          id,
          user_id: accountability.user ?? null,
          name: body.name,
          collection: body.collection,
          options: body.options,
        }),
      );
      res.status(201).json({ data: view((await store.get(callerOf(accountability), id))!) });
    }),
  );

  router.get(
    `${SAVED_MAPPINGS_PATH}/:id`,
    route(async (req: Request, res: Response) => {
      const caller = callerOf(signedIn(req));
      const { id } = parseInput(savedMappingParams, req.params, 'params');
      res.json({ data: view(await found(caller, id)) });
    }),
  );

  router.patch(
    `${SAVED_MAPPINGS_PATH}/:id`,
    route(async (req: Request, res: Response) => {
      const caller = callerOf(signedIn(req));
      const { id } = parseInput(savedMappingParams, req.params, 'params');
      const change = parseInput(savedMappingUpdate, req.body, 'body');
      // Existence first: another user's mapping is a 404 whatever the body.
      await found(caller, id);
      if (change.collection) importable(req.schema!, change.collection);
      await uniqueName(() => store.update(caller, id, change));
      res.json({ data: view(await found(caller, id)) });
    }),
  );

  router.delete(
    `${SAVED_MAPPINGS_PATH}/:id`,
    route(async (req: Request, res: Response) => {
      const caller = callerOf(signedIn(req));
      const { id } = parseInput(savedMappingParams, req.params, 'params');
      if (!(await store.remove(caller, id))) throw new NotFoundError({ what: 'Saved mapping' });
      res.status(204).end();
    }),
  );
}

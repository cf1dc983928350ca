// HTTP adapter for the race the filter cannot see (decision 0010): two writes read the same state, the first
// commits, and the database trigger refuses the second's move from the state it actually finds. Directus would
// answer that database error with a 500; this error middleware (mounted after Directus's own routes, before its
// error handler) turns it into the 409 the filter gives, computed for the caller from the state as it is now.
// GraphQL formats its errors itself and still answers such a race with Directus's generic error.
import type { Accountability } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { TransitionNotAllowedError } from '../shared/errors.js';
import { fieldsToRead } from './core/definition.js';
import { decideTransition } from './core/machine.js';
import type { LoadedDefinitions } from './definitions.js';
import { actorOf } from './enforce.js';
import { guardFields, runGuard } from './guards.js';
import { CONFLICT_SQLSTATE } from './triggers.js';

interface Conflict {
  collection: string;
  item: string;
  from: string;
  to: string;
}

function conflictOf(error: unknown): Conflict | null {
  const candidate = error as { code?: unknown; detail?: unknown } | null;
  if (!candidate || candidate.code !== CONFLICT_SQLSTATE || typeof candidate.detail !== 'string') return null;
  try {
    return JSON.parse(candidate.detail) as Conflict;
  } catch {
    return null;
  }
}

export function transitionConflictMiddleware(database: Knex, definitions: () => Promise<LoadedDefinitions>) {
  return (error: unknown, req: Request, _res: Response, next: NextFunction) => {
    const conflict = conflictOf(error);
    if (!conflict) return next(error);
    const accountability = (req as Request & { accountability?: Accountability }).accountability ?? null;
    void (async () => {
      const definition = (await definitions()).byCollection.get(conflict.collection);
      const primaryKey = req.schema?.collections[conflict.collection]?.primary ?? 'id';
      const row = definition
        ? ((await database(conflict.collection)
            .select(primaryKey, ...fieldsToRead(definition, guardFields))
            .where(primaryKey, conflict.item)
            .first()) as Record<string, unknown> | undefined)
        : undefined;
      if (!definition || !row) return next(error);
      const state = String(row[definition.state_field]);
      const decision = decideTransition(
        definition,
        { id: conflict.item, state, fields: row },
        conflict.to,
        actorOf(accountability),
        { now: new Date(), check: runGuard },
      );
      const allowed = decision.ok ? [] : decision.allowed;
      const message = decision.ok
        ? `${conflict.collection} item ${conflict.item} changed while this write ran; it is now "${state}". Try again.`
        : `${decision.message} (The item changed while this write ran.)`;
      next(
        new TransitionNotAllowedError({
          collection: conflict.collection,
          message,
          refusals: [{ item: conflict.item, from: state, to: conflict.to, allowed }],
        }),
      );
    })().catch(() => next(error));
  };
}

// Hook adapter: the one place every write path (REST, GraphQL, admin app, batch, imports, flows) passes through.
// items.create checks the initial state; items.update checks each item's move for the caller, per item, before
// Directus opens the write's transaction. History and events are written by the database trigger (triggers.ts).
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import type { WorkflowDefinition } from './core/definition.js';
import { fieldsToRead } from './core/definition.js';
import { decideInitial, decideTransition, type Actor } from './core/machine.js';
import { guardFields, runGuard } from './guards.js';
import { ForbiddenError, TransitionNotAllowedError, type TransitionRefusal } from '../shared/errors.js';

type Payload = Record<string, unknown>;
type Key = string | number;

export interface EnforcementDeps {
  definitions: () => Promise<{ byCollection: Map<string, WorkflowDefinition> }>;
  /** Directus's ItemsService, to check the caller may see an item before we describe its state. */
  ItemsService: new (
    collection: string,
    options: { schema: SchemaOverview; accountability: Accountability | null; knex: Knex },
  ) => { readMany(keys: Key[], query: object): Promise<Payload[]> };
  now?: () => Date;
}

export function actorOf(accountability: Accountability | null | undefined): Actor {
  if (!accountability) return { user: null, roles: [], admin: false };
  const roles = accountability.roles?.length ? accountability.roles : accountability.role ? [accountability.role] : [];
  return { user: accountability.user ?? null, roles, admin: accountability.admin === true };
}

interface WriteContext {
  database: Knex;
  schema: SchemaOverview | null;
  accountability: Accountability | null;
}

export function createEnforcement(deps: EnforcementDeps) {
  const now = deps.now ?? (() => new Date());

  async function onCreate(payload: Payload, meta: { collection: string }, context: WriteContext) {
    const definition = (await deps.definitions()).byCollection.get(meta.collection);
    if (!definition) return payload;
    const given = payload[definition.state_field];
    const state =
      given ?? context.schema?.collections[meta.collection]?.fields[definition.state_field]?.defaultValue ?? null;
    if (state === null || state === undefined) return payload;
    const decision = decideInitial(definition, String(state));
    if (!decision.ok) {
      throw new TransitionNotAllowedError({
        collection: meta.collection,
        message: decision.message,
        refusals: [{ item: null, from: null, to: String(state), allowed: decision.allowed }],
      });
    }
    return payload;
  }

  async function onUpdate(payload: Payload, meta: { collection: string; keys: Key[] }, context: WriteContext) {
    const definition = (await deps.definitions()).byCollection.get(meta.collection);
    if (!definition || !(definition.state_field in payload)) return payload;
    const to = String(payload[definition.state_field]);
    const primaryKey = context.schema?.collections[meta.collection]?.primary ?? 'id';
    const fields = fieldsToRead(definition, guardFields);
    // Root knex, outside the write's transaction (Directus runs this filter before opening it). The trigger
    // re-checks the move against the row it actually changes (decision 0010).
    const rows: Payload[] = await context.database
      .select(primaryKey, ...fields.filter((field) => field !== primaryKey))
      .from(meta.collection)
      .whereIn(primaryKey, meta.keys);
    const actor = actorOf(context.accountability);
    const at = now();
    const refusals: (TransitionRefusal & { message: string })[] = [];
    for (const row of rows) {
      const from = row[definition.state_field];
      if (from === to) continue;
      const id = row[primaryKey] as Key;
      const decision = decideTransition(definition, { id, state: String(from), fields: row }, to, actor, {
        now: at,
        check: runGuard,
      });
      if (!decision.ok) {
        refusals.push({ item: id, from: String(from), to, allowed: decision.allowed, message: decision.message });
      }
    }
    if (refusals.length === 0) return payload;

    // Describe states only of items the caller may read; otherwise answer as Directus does for unknown items.
    if (context.accountability && context.schema) {
      const service = new deps.ItemsService(meta.collection, {
        schema: context.schema,
        accountability: context.accountability,
        knex: context.database,
      });
      const refused = refusals.map((refusal) => refusal.item as Key);
      const visible = await service.readMany(refused, { fields: [primaryKey], limit: -1 }).catch(() => []);
      if (visible.length < new Set(refused.map(String)).size) throw new ForbiddenError();
    }
    const shown = refusals.slice(0, 5).map((refusal) => refusal.message);
    const more = refusals.length > shown.length ? ` (and ${refusals.length - shown.length} more)` : '';
    throw new TransitionNotAllowedError({
      collection: meta.collection,
      message: `${shown.join(' ')}${more}`,
      refusals: refusals.map(({ item, from, to: target, allowed }) => ({ item, from, to: target, allowed })),
    });
  }

  return { onCreate, onUpdate };
}

// Port: the database side of workflows. Each collection with a definition gets a trigger function generated from
// that definition (core/trigger-sql.ts) and a BEFORE INSERT / BEFORE UPDATE trigger pair, which record the history
// row and publish the transition event in the write's own transaction, whatever path the write took, and refuse a
// move the definition does not give the actor (as a last line, e.g. after a concurrent change, or for SQL that
// skips Directus). Decisions 0010 (why a trigger) and 0027 (why generated from the definition).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { WorkflowDefinition } from './core/definition.js';
import {
  TRIGGER_PREFIX,
  functionNameOf,
  quoteIdentifier,
  triggerFunctionSql,
  triggersSql,
  type TableFacts,
} from './core/trigger-sql.js';
import { HISTORY_TABLE } from './definitions.js';

export { CONFLICT_SQLSTATE } from './core/trigger-sql.js';
const LOCK_KEY = 'groundwork.workflows.triggers';
/** The one shared function of earlier versions, which looked the definition up on every row. */
const LEGACY_FUNCTION = 'groundwork_workflow_record';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const functionName = (collection: string) => functionNameOf(collection, sha256);

/**
 * Makes the triggers match the definitions: creates, replaces (when a definition changed) and drops them. `keep`
 * names collections whose stored definition does not parse: their triggers are left as they are, not dropped.
 * `warn` hears of a workflowed collection the trigger cannot name actors in (no `user_updated`).
 */
export async function syncWorkflowTriggers(
  database: Knex,
  definitions: WorkflowDefinition[],
  options: { keep?: string[]; warn?: (message: string) => void } = {},
): Promise<string[]> {
  const keep = new Set(options.keep ?? []);
  const changed: string[] = [];
  await database.transaction(async (trx) => {
    // Instances booting together: one syncs, the others wait and then find nothing to do.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [LOCK_KEY]);
    const existing = (
      await trx.raw(
        `select c.relname as collection, obj_description(t.oid, 'pg_trigger') as fingerprint
           from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where t.tgname = ? and c.relnamespace = current_schema()::regnamespace`,
        [`${TRIGGER_PREFIX}_update`],
      )
    ).rows as { collection: string; fingerprint: string | null }[];
    const wanted = new Map(definitions.map((definition) => [definition.collection, definition]));
    for (const row of existing) {
      if (wanted.has(row.collection) || keep.has(row.collection)) continue;
      await dropTriggers(trx, row.collection);
      await trx.raw(`drop function if exists ${quoteIdentifier(functionName(row.collection))}()`);
      changed.push(`dropped ${row.collection}`);
    }
    for (const definition of definitions) {
      const table = await tableFacts(trx, definition.collection);
      if (!table || !table.columns.includes(definition.state_field)) {
        // No table (yet) or no state column: nothing to guard; no trigger left from an earlier shape either.
        if (table) await dropTriggers(trx, definition.collection);
        continue;
      }
      if (!table.columns.includes('user_updated')) {
        // The trigger reads the actor from Directus's user_updated; without it every move is the system's, so the
        // roles of a transition never admit a user and their moves are refused (409) with nothing else to go on.
        options.warn?.(
          `${definition.collection} has no user_updated field: the workflow trigger cannot tell who moves an item, ` +
            "so only the system's transitions are allowed; add Directus's user_updated field to the collection",
        );
      }
      const name = functionName(definition.collection);
      const statements = [
        triggerFunctionSql(definition, table, { historyTable: HISTORY_TABLE }, name),
        ...triggersSql(definition, table, name),
      ];
      const fingerprint = sha256(statements.join(';\n'));
      if (existing.find((row) => row.collection === definition.collection)?.fingerprint === fingerprint) continue;
      await dropTriggers(trx, definition.collection);
      for (const statement of statements) await trx.raw(statement);
      await trx.raw(
        `comment on trigger ${TRIGGER_PREFIX}_update on ${quoteIdentifier(definition.collection)} is '${fingerprint}'`,
      );
      changed.push(`synced ${definition.collection}`);
    }
    // Every trigger now runs a generated function; the old shared one has no users left.
    await trx.raw(`drop function if exists ${LEGACY_FUNCTION}()`);
  });
  return changed;
}

async function dropTriggers(trx: Knex.Transaction, collection: string): Promise<void> {
  await trx.raw(`drop trigger if exists ${TRIGGER_PREFIX}_insert on ${quoteIdentifier(collection)}`);
  await trx.raw(`drop trigger if exists ${TRIGGER_PREFIX}_update on ${quoteIdentifier(collection)}`);
}

/** The table's primary key and columns, or null when there is no such table (yet). */
async function tableFacts(trx: Knex.Transaction, table: string): Promise<TableFacts | null> {
  const result = await trx.raw(
    `select a.attname as name, coalesce(i.indisprimary, false) as primary
       from pg_attribute a
       left join pg_index i on i.indrelid = a.attrelid and i.indisprimary and a.attnum = any(i.indkey)
      where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [quoteIdentifier(table)],
  );
  const rows = result.rows as { name: string; primary: boolean }[];
  const primaryKey = rows.find((row) => row.primary)?.name;
  return primaryKey ? { primaryKey, columns: rows.map((row) => row.name) } : null;
}

// Port: the database side of workflows. One BEFORE INSERT OR UPDATE trigger per collection with a definition
// records the history row and publishes the transition event in the write's own transaction, whatever path the
// write took, and refuses (as a last line, e.g. after a concurrent change) a move the definition does not have.
// Decision 0010 says why a trigger and not the update filter or the activity hooks.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { WorkflowDefinition } from './core/definition.js';
import { DEFINITIONS_TABLE, HISTORY_TABLE } from './definitions.js';

export const TRIGGER_NAME = 'groundwork_workflow';
/** SQLSTATE of the trigger's refusal; conflicts.ts turns it into the 409 the filter would have given. */
export const CONFLICT_SQLSTATE = 'GW409';
const LOCK_KEY = 'groundwork.workflows.triggers';

// Actor: Directus sets user_updated (user_created on insert) from the request's accountability inside the write;
// writes without a user (jobs) leave null, which history shows as the system.
const FUNCTION_SQL = `
create or replace function groundwork_workflow_record() returns trigger language plpgsql as $$
declare
  def record;
  pk text := tg_argv[0];
  row_new jsonb := to_jsonb(new);
  old_state text;
  new_state text;
  note text;
  actor uuid;
  move jsonb;
  patch jsonb := '{}'::jsonb;
begin
  select * into def from ${DEFINITIONS_TABLE} where collection = tg_table_name;
  if not found then
    return new;
  end if;
  new_state := row_new ->> def.state_field;
  if def.comment_field is not null then
    note := nullif(row_new ->> def.comment_field, '');
    patch := patch || jsonb_build_object(def.comment_field, null);
  end if;
  if tg_op = 'INSERT' then
    actor := (row_new ->> 'user_created')::uuid;
    insert into ${HISTORY_TABLE} (collection, item, "from", "to", transition, actor, comment, at)
      values (tg_table_name, row_new ->> pk, null, new_state, null, actor, note, now());
  else
    old_state := to_jsonb(old) ->> def.state_field;
    if old_state is distinct from new_state then
      select value into move from jsonb_array_elements(def.transitions::jsonb)
        where value ->> 'from' = old_state and value ->> 'to' = new_state limit 1;
      if move is null then
        raise exception '% item % cannot move from "%" to "%"', tg_table_name, row_new ->> pk, old_state, new_state
          using errcode = '${CONFLICT_SQLSTATE}',
                detail = jsonb_build_object('collection', tg_table_name, 'item', row_new ->> pk,
                                            'from', old_state, 'to', new_state)::text;
      end if;
      actor := (row_new ->> 'user_updated')::uuid;
      insert into ${HISTORY_TABLE} (collection, item, "from", "to", transition, actor, comment, at)
        values (tg_table_name, row_new ->> pk, old_state, new_state, move ->> 'name', actor, note, now());
      perform public.groundwork_publish_event(
        coalesce(move ->> 'event', 'workflow.' || tg_table_name || '.' || new_state),
        tg_table_name, row_new ->> pk, actor,
        jsonb_build_object('from', old_state, 'to', new_state, 'comment', note, 'transition', move ->> 'name'));
    else
      return case when patch = '{}'::jsonb then new else jsonb_populate_record(new, patch) end;
    end if;
  end if;
  -- Entering a stamped state sets its time; an inserted row keeps a time it brings (imports of old items).
  if (def.stamps::jsonb ->> new_state) is not null
     and (tg_op = 'UPDATE' or row_new ->> (def.stamps::jsonb ->> new_state) is null) then
    patch := patch || jsonb_build_object(def.stamps::jsonb ->> new_state, now());
  end if;
  return case when patch = '{}'::jsonb then new else jsonb_populate_record(new, patch) end;
end
$$`;

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

function triggerSql(definition: WorkflowDefinition, primaryKey: string): string {
  const table = quote(definition.collection);
  const state = quote(definition.state_field);
  // Only rows whose state changes (or that carry a comment to clear) pay for the function on update.
  const when = definition.comment_field
    ? `old.${state} is distinct from new.${state} or new.${quote(definition.comment_field)} is not null`
    : `old.${state} is distinct from new.${state}`;
  return [
    `create trigger ${TRIGGER_NAME}_insert before insert on ${table} for each row`,
    `execute function groundwork_workflow_record('${primaryKey.replace(/'/g, "''")}');`,
    `create trigger ${TRIGGER_NAME}_update before update on ${table} for each row when (${when})`,
    `execute function groundwork_workflow_record('${primaryKey.replace(/'/g, "''")}')`,
  ].join(' ');
}

/** Makes the triggers match the definitions: creates, replaces (when a definition changed) and drops them. */
export async function syncWorkflowTriggers(database: Knex, definitions: WorkflowDefinition[]): Promise<string[]> {
  const changed: string[] = [];
  await database.transaction(async (trx) => {
    // Instances booting together: one syncs, the others wait and then find nothing to do.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [LOCK_KEY]);
    await trx.raw(FUNCTION_SQL);
    const existing = (
      await trx.raw(
        `select c.relname as collection, obj_description(t.oid, 'pg_trigger') as fingerprint
           from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where t.tgname = ? and c.relnamespace = current_schema()::regnamespace`,
        [`${TRIGGER_NAME}_update`],
      )
    ).rows as { collection: string; fingerprint: string | null }[];
    const wanted = new Map(definitions.map((definition) => [definition.collection, definition]));
    for (const row of existing) {
      if (wanted.has(row.collection)) continue;
      await dropTriggers(trx, row.collection);
      changed.push(`dropped ${row.collection}`);
    }
    for (const definition of definitions) {
      const primaryKey = await primaryKeyOf(trx, definition.collection);
      if (!primaryKey) continue;
      const sql = triggerSql(definition, primaryKey);
      const fingerprint = createHash('sha256').update(sql).digest('hex');
      if (existing.find((row) => row.collection === definition.collection)?.fingerprint === fingerprint) continue;
      await dropTriggers(trx, definition.collection);
      await trx.raw(sql);
      await trx.raw(`comment on trigger ${TRIGGER_NAME}_update on ${quote(definition.collection)} is '${fingerprint}'`);
      changed.push(`synced ${definition.collection}`);
    }
  });
  return changed;
}

async function dropTriggers(trx: Knex.Transaction, collection: string): Promise<void> {
  await trx.raw(`drop trigger if exists ${TRIGGER_NAME}_insert on ${quote(collection)}`);
  await trx.raw(`drop trigger if exists ${TRIGGER_NAME}_update on ${quote(collection)}`);
}

async function primaryKeyOf(trx: Knex.Transaction, table: string): Promise<string | null> {
  const result = await trx.raw(
    `select a.attname as name from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = to_regclass(?) and i.indisprimary`,
    [quote(table)],
  );
  return (result.rows as { name: string }[])[0]?.name ?? null;
}

// The database side of a workflow, generated from its definition (decision 0027): one plpgsql function per
// collection that records a move exactly as the filter decides it. Both sides take a move's transition from
// `transitionFor` (machine.ts): the first transition between the two states whose roles admit the actor. The SQL
// gets the same list in the same order, with each transition's role ids and its event type (`eventTypeOf`) written
// in as constants, so neither the choice nor the event name is re-derived in SQL. Guards are code and stay in the
// filter; the generated check covers the definition's moves and their roles. Pure: strings in, strings out.
import { SYSTEM_ROLE, eventTypeOf, type Transition, type WorkflowDefinition } from './definition.js';

/** SQLSTATE of the trigger's refusal; conflicts.ts turns it into the 409 the filter would have given. */
export const CONFLICT_SQLSTATE = 'GW409';
export const TRIGGER_PREFIX = 'groundwork_workflow';

/** What the generator needs to know of the table: its primary key and its columns. */
export interface TableFacts {
  primaryKey: string;
  columns: string[];
}

/** Where the history rows go (the platform's table). */
export interface TriggerTargets {
  historyTable: string;
}

export const quoteIdentifier = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
export const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The collection's trigger function name (a hash of the name when the name would pass Postgres's 63 bytes). */
export function functionNameOf(collection: string, hash: (value: string) => string): string {
  const name = `${TRIGGER_PREFIX}_${collection}`;
  return Buffer.byteLength(name) <= 63 ? name : `${TRIGGER_PREFIX}_${hash(collection).slice(0, 16)}`;
}

/** The SQL condition "the actor's roles admit this transition", mirroring `roleAllows` (machine.ts). */
function roleCondition(transition: Transition): string {
  // actor_roles holds the user's role and its parents, or just `$system` for a write without a user.
  if (transition.roles.length === 0) return 'actor_admin';
  return `actor_admin or actor_roles && array[${transition.roles.map(quoteLiteral).join(', ')}]::text[]`;
}

/** One branch per pair of states, its transitions in the definition's order: the first the roles admit wins. */
function moveChoice(definition: WorkflowDefinition): string {
  const pairs = new Map<string, Transition[]>();
  for (const transition of definition.transitions) {
    const key = JSON.stringify([transition.from, transition.to]);
    pairs.set(key, [...(pairs.get(key) ?? []), transition]);
  }
  if (pairs.size === 0) return '';
  const branches = [...pairs.values()].map((transitions, index) => {
    const { from, to } = transitions[0]!;
    const choices = transitions
      .map(
        (transition, position) =>
          `    ${position === 0 ? 'if' : 'elsif'} ${roleCondition(transition)} then\n` +
          `      move_name := ${quoteLiteral(transition.name)};\n` +
          `      move_event := ${quoteLiteral(eventTypeOf(definition.collection, transition))};`,
      )
      .join('\n');
    return (
      `  ${index === 0 ? 'if' : 'elsif'} old_state = ${quoteLiteral(from)} and new_state = ${quoteLiteral(to)} then\n` +
      `${choices}\n    end if;`
    );
  });
  return `${branches.join('\n')}\n  end if;`;
}

function stampsOf(definition: WorkflowDefinition, columns: Set<string>, onInsert: boolean): string {
  const indent = onInsert ? '    ' : '  ';
  return Object.entries(definition.stamps ?? {})
    .filter(([, field]) => columns.has(field))
    .map(([state, field]) => {
      const column = `new.${quoteIdentifier(field)}`;
      // An inserted row keeps a time it brings (imports of old items).
      const keep = onInsert ? ` and ${column} is null` : '';
      return `${indent}if new_state = ${quoteLiteral(state)}${keep} then ${column} := now(); end if;`;
    })
    .join('\n');
}

/** The function the collection's triggers run (create or replace). */
export function triggerFunctionSql(
  definition: WorkflowDefinition,
  table: TableFacts,
  targets: TriggerTargets,
  functionName: string,
): string {
  const columns = new Set(table.columns);
  const collection = quoteLiteral(definition.collection);
  const state = quoteIdentifier(definition.state_field);
  const comment = definition.comment_field && columns.has(definition.comment_field) ? definition.comment_field : null;
  const actorOn = (column: string) => (columns.has(column) ? `new.${quoteIdentifier(column)}` : 'null');
  const history = (from: string, transition: string, actor: string) =>
    `insert into ${quoteIdentifier(targets.historyTable)} (collection, item, "from", "to", transition, actor, comment, at)\n` +
    `      values (${collection}, item, ${from}, new_state, ${transition}, ${actor}, note, now());`;
  const body = `
declare
  item text := new.${quoteIdentifier(table.primaryKey)}::text;
  new_state text := new.${state}::text;
  old_state text;
  note text;
  actor uuid;
  actor_roles text[];
  actor_admin boolean := false;
  move_name text;
  move_event text;
begin
${
  comment
    ? `  -- The comment travels with the write into history and is not kept on the item.
  note := nullif(new.${quoteIdentifier(comment)}::text, '');
  new.${quoteIdentifier(comment)} := null;`
    : ''
}
  if tg_op = 'INSERT' then
    -- An item created without a state (the filter lets it in) has no state to record.
    if new_state is not null then
      ${history('null', 'null', actorOn('user_created'))}
    end if;
${stampsOf(definition, columns, true)}
    return new;
  end if;
  old_state := old.${state}::text;
  if old_state is not distinct from new_state then
    return new;
  end if;
  -- The actor is Directus's user_updated (set from the request's accountability); no user is the system.
  actor := ${actorOn('user_updated')};
  if actor is null then
    actor_roles := array[${quoteLiteral(SYSTEM_ROLE)}];
  else
    -- The user's role and its parents, and whether a policy of the user or of those roles is an admin policy:
    -- what Directus puts in the accountability (policies' IP limits aside).
    with recursive tree(id, depth) as (
      select u.role, 1 from directus_users u where u.id = actor and u.role is not null
      union all
      select r.parent, tree.depth + 1 from directus_roles r join tree on r.id = tree.id
       where r.parent is not null and tree.depth < 32
    )
    select coalesce((select array_agg(tree.id::text) from tree), '{}'::text[]),
           exists (select 1 from directus_access a join directus_policies p on p.id = a.policy
                    where p.admin_access and (a."user" = actor or a.role in (select tree.id from tree)))
      into actor_roles, actor_admin;
  end if;
${moveChoice(definition)}
  if move_name is null then
    raise exception '% item % cannot move from "%" to "%"', ${collection}, item, old_state, new_state
      using errcode = '${CONFLICT_SQLSTATE}',
            detail = jsonb_build_object('collection', ${collection}, 'item', item,
                                        'from', old_state, 'to', new_state)::text;
  end if;
  ${history('old_state', 'move_name', 'actor')}
  perform public.groundwork_publish_event(move_event, ${collection}, item, actor,
    jsonb_build_object('from', old_state, 'to', new_state, 'comment', note, 'transition', move_name));
${stampsOf(definition, columns, false)}
  return new;
end
`;
  let tag = '$groundwork$';
  for (let n = 1; body.includes(tag); n += 1) tag = `$groundwork${n}$`;
  return `create or replace function ${quoteIdentifier(functionName)}() returns trigger language plpgsql as ${tag}${body}${tag}`;
}

/** The collection's two triggers; on update only rows whose state changes (or that carry a comment) pay for it. */
export function triggersSql(definition: WorkflowDefinition, table: TableFacts, functionName: string): string[] {
  const target = quoteIdentifier(definition.collection);
  const state = quoteIdentifier(definition.state_field);
  const comment =
    definition.comment_field && table.columns.includes(definition.comment_field) ? definition.comment_field : null;
  const when = comment
    ? `old.${state} is distinct from new.${state} or new.${quoteIdentifier(comment)} is not null`
    : `old.${state} is distinct from new.${state}`;
  const run = `execute function ${quoteIdentifier(functionName)}()`;
  return [
    `create trigger ${TRIGGER_PREFIX}_insert before insert on ${target} for each row ${run}`,
    `create trigger ${TRIGGER_PREFIX}_update before update on ${target} for each row when (${when}) ${run}`,
  ];
}

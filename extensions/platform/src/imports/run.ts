// The import's checks and write, in one transaction (decision 0042). Every row goes through what a REST create or
// update of it would: Directus's filter hooks (items.create / <collection>.items.create, and update: the workflow's
// initial state and the domain's own rules run there), the caller's access check for updated rows (validateAccess:
// row rules and field lists), Directus's processPayload steps (field list, presets, required fields, field validation
// and the permission's validation rule; payload-checks.ts, the rules fetched once) and the special fields Directus
// fills (uuid keys, user/date created and updated).
// Then the rows are written in chunks with one INSERT ... SELECT FROM jsonb_populate_recordset or one UPDATE ... FROM
// per chunk, so database triggers run (ticket numbers, SLA due times) at set speed. A chunk the database refuses is
// retried row by row under savepoints only to name the failing rows. A dry run does all of it and rolls back, so its
// report is the real run's report; a real run with any row error rolls back too (all or nothing).
import { randomUUID } from 'node:crypto';
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { loadDirectusModule } from '../shared/directus-internals.js';
import { EVENTS_SETTING } from '../events/core/outbox.js';
import { payloadCheck, type PayloadCheck } from './payload-checks.js';
import type { WorkflowDefinition } from '../workflows/core/definition.js';
import { decideInitial } from '../workflows/core/machine.js';
import type { ImportOptions } from './core/contract.js';
import type { Table } from './core/parse.js';
import {
  chunksOf,
  decideActions,
  duplicatesInFile,
  keyOf,
  planColumns,
  planRows,
  type Action,
  type CollectionInfo,
  type RowError,
} from './core/plan.js';
import { sortErrors, type ImportReport } from './core/report.js';
import {
  distinctNames,
  LISTED_NAMES,
  storedNames,
  unknownNameErrors,
  VOCABULARY_FIELD_TYPES,
  vocabularyTargets,
  type VocabularyTarget,
} from './core/vocabulary.js';
import { isDataCollection } from '../shared/core/collections.js';

export const CHUNK_ROWS = 1000;

type Payload = Record<string, unknown>;
type Key = string | number;

interface DirectusInternals {
  validateAccess: (
    options: {
      accountability: Accountability;
      action: 'update';
      collection: string;
      primaryKeys: Key[];
      fields?: string[];
    },
    context: { knex: Knex; schema: SchemaOverview },
  ) => Promise<void>;
  emitFilter: (
    event: string | string[],
    payload: Payload,
    meta: Record<string, unknown>,
    context: { database: Knex; schema: SchemaOverview; accountability: Accountability },
  ) => Promise<Payload>;
  emitAction: (event: string | string[], meta: Record<string, unknown>, context: unknown) => void;
}

let internals: Promise<DirectusInternals> | null = null;

/** Directus's payload checks and hooks, as REST runs them (shared/directus-internals.ts). */
function directusInternals(): Promise<DirectusInternals> {
  const load = loadDirectusModule;
  internals ??= (async () => {
    const emitter = (
      await load<{
        default: { emitFilter: DirectusInternals['emitFilter']; emitAction: DirectusInternals['emitAction'] };
      }>('emitter')
    ).default;
    return {
      ...(await load<Pick<DirectusInternals, 'validateAccess'>>('permissions/modules/validate-access/validate-access')),
      emitFilter: emitter.emitFilter.bind(emitter),
      emitAction: emitter.emitAction.bind(emitter),
    };
  })();
  return internals;
}

export class ImportRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Thrown inside the transaction to roll it back with the report in hand (a dry run, or any row error). */
class Rollback extends Error {
  constructor(readonly report: ImportReport) {
    super('rollback');
  }
}

interface ActionEvent {
  event: string | string[];
  meta: Record<string, unknown>;
  context: unknown;
}

type ItemsServiceClass = new (
  collection: string,
  options: { schema: SchemaOverview; accountability: Accountability | null; knex: Knex },
) => {
  readByQuery(query: Record<string, unknown>): Promise<Payload[]>;
  createMany(
    data: Payload[],
    options?: { bypassEmitAction?: (event: ActionEvent) => void; emitEvents?: boolean },
  ): Promise<Key[]>;
};

export interface ImportDeps {
  database: Knex;
  ItemsService: ItemsServiceClass;
  workflows: () => Promise<{ byCollection: Map<string, WorkflowDefinition> }>;
}

export interface ImportRequest {
  collection: string;
  options: ImportOptions;
  table: Table;
  checksum: string;
  accountability: Accountability;
  schema: SchemaOverview;
  /** Called inside the transaction after a successful real run (the idempotency record). */
  onSuccess: (trx: Knex.Transaction, report: ImportReport) => Promise<void>;
  /** Called after each chunk is checked and each chunk is written (a background run's progress). */
  onProgress?: (progress: ImportProgress) => Promise<void>;
}

export interface ImportProgress {
  phase: 'checking' | 'writing';
  rows_total: number;
  rows_checked: number;
  rows_written: number;
}

// Fields written only by Directus itself: a column mapped to one is refused like an unknown column.
const NOT_IMPORTED = ['hash', 'conceal', 'alias', 'no-data', 'o2m', 'm2m', 'm2a', 'files', 'translations'];

export function collectionInfo(schema: SchemaOverview, collection: string): CollectionInfo {
  const overview = schema.collections[collection]!;
  const fields: CollectionInfo['fields'] = {};
  for (const field of Object.values(overview.fields)) {
    const special = field.special ?? [];
    fields[field.field] = {
      field: field.field,
      type: field.type,
      alias: field.type === 'alias' || field.generated || special.some((s) => NOT_IMPORTED.includes(s)),
    };
  }
  return { collection, primary: overview.primary, fields };
}

/** The table's unique column sets (unique indexes without a predicate), read from the catalog. */
async function uniqueSets(trx: Knex, table: string): Promise<string[][]> {
  const result = await trx.raw<{ rows: Array<{ columns: string[] }> }>(
    `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass(quote_ident(?)) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [table],
  );
  return result.rows.map((row) => row.columns);
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((field) => b.includes(field));

/** Rows whose values of `fields` exist in the table: key text → primary key. One query per call. */
async function existingBy(
  trx: Knex,
  table: string,
  primary: string,
  fields: string[],
  rows: Array<{ values: Payload }>,
): Promise<Map<string, Key>> {
  const tuples = new Map<string, unknown[]>();
  for (const row of rows) {
    const key = keyOf(row.values, fields);
    if (key !== null)
      tuples.set(
        key,
        fields.map((field) => row.values[field]),
      );
  }
  const found = new Map<string, Key>();
  if (tuples.size === 0) return found;
  const query = trx(table).select(primary, ...fields.filter((field) => field !== primary));
  const stored = (await (fields.length === 1
    ? query.whereIn(
        fields[0]!,
        [...tuples.values()].map((tuple) => tuple[0] as string),
      )
    : query.whereIn(fields, [...tuples.values()] as string[][]))) as Payload[];
  for (const row of stored) {
    const key = keyOf(row, fields);
    if (key !== null) found.set(key, row[primary] as Key);
  }
  return found;
}

function errorsOf(error: unknown, row: number, stateField: string | null = null): RowError[] {
  const list = Array.isArray(error) ? error : [error];
  return list.map((item: { code?: string; message?: string; extensions?: { field?: string } }) => ({
    row,
    // The workflow's refusal (its filter hook) names no field: it is the state field.
    field: item?.extensions?.field ?? (item?.code === 'TRANSITION_NOT_ALLOWED' ? stateField : null),
    code: item?.code ?? 'REFUSED',
    message: String(item?.message ?? item),
  }));
}

interface Prepared {
  row: number;
  kind: 'insert' | 'update';
  key: Key | null;
  payload: Payload;
}

/** Postgres's refusal of one row, in plain words: its message and detail (no SQL, no stack). */
function databaseError(error: unknown, row: number): RowError {
  const pg = error as { message?: string; detail?: string; column?: string; code?: string };
  const message = (pg.message ?? 'refused').replace(/^.* - /s, '');
  return {
    row,
    field: pg.column ?? null,
    code: 'DATABASE',
    message: pg.detail ? `${message} (${pg.detail})` : message,
  };
}

async function writeChunk(trx: Knex.Transaction, table: string, primary: string, rows: Prepared[]): Promise<void> {
  // Rows with the same fields go in one statement: a field a row leaves out gets its default, not NULL.
  const groups = new Map<string, Prepared[]>();
  for (const row of rows) {
    const signature = `${row.kind}:${Object.keys(row.payload).sort().join(',')}`;
    const group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, [row]);
  }
  for (const group of groups.values()) {
    const fields = Object.keys(group[0]!.payload);
    const json = JSON.stringify(group.map((row) => row.payload));
    if (group[0]!.kind === 'insert') {
      await trx.raw(`INSERT INTO ?? (??) SELECT ?? FROM jsonb_populate_recordset(NULL::??, ?::jsonb)`, [
        table,
        fields,
        fields,
        table,
        json,
      ]);
    } else {
      const set = fields.filter((field) => field !== primary);
      if (set.length === 0) continue;
      await trx.raw(
        `UPDATE ?? AS t SET ${set.map(() => '?? = v.??').join(', ')}
           FROM jsonb_populate_recordset(NULL::??, ?::jsonb) AS v WHERE t.?? = v.??`,
        [table, ...set.flatMap((field) => [field, field]), table, json, primary, primary],
      );
    }
  }
}

/** Writes the chunk under a savepoint; when the database refuses it, finds the refused rows one by one. */
async function writeOrExplain(
  trx: Knex.Transaction,
  table: string,
  primary: string,
  rows: Prepared[],
): Promise<RowError[]> {
  try {
    await trx.transaction((savepoint) => writeChunk(savepoint, table, primary, rows));
    return [];
  } catch {
    const errors: RowError[] = [];
    for (const row of rows) {
      try {
        await trx.transaction((savepoint) => writeChunk(savepoint, table, primary, [row]));
      } catch (error) {
        errors.push(databaseError(error, row.row));
      }
    }
    return errors;
  }
}

/** Milliseconds per phase, for GROUNDWORK_IMPORT_PROFILE (the bench's breakdown). */
export const importTimings: Record<string, number> = {};
async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    importTimings[phase] = (importTimings[phase] ?? 0) + performance.now() - started;
  }
}

export async function runImport(deps: ImportDeps, request: ImportRequest): Promise<ImportReport> {
  const { collection, options, table, accountability, schema } = request;
  const info = collectionInfo(schema, collection);
  const mapping = options.mapping ?? {};
  const relations = options.relations ?? {};
  const plan = planColumns(table.columns, info, mapping, relations);
  if (!plan.ok) throw new ImportRefused(plan.reason);
  const relationTargets = new Map<string, { related: string; key: string; primary: string }>();
  for (const [field, key] of Object.entries(relations)) {
    const relation = schema.relations.find((r) => r.collection === collection && r.field === field);
    const related = relation?.related_collection;
    if (!related || !schema.collections[related])
      throw new ImportRefused(`relations: "${field}" is not a many-to-one field of ${collection}.`);
    if (!schema.collections[related].fields[key])
      throw new ImportRefused(`relations: ${related} has no field "${key}".`);
    relationTargets.set(field, { related, key, primary: schema.collections[related].primary });
  }
  const vocabularies = checkedVocabularies(schema, collection, options, plan.targets);
  const match = options.match ?? [];
  if (options.mode !== 'insert' && match.length === 0)
    throw new ImportRefused(`mode=${options.mode} needs match: the field(s) that identify an existing item.`);
  const unknownMatch = match.filter((field) => !plan.targets.some((target) => target.field === field));
  if (unknownMatch.length) throw new ImportRefused(`match names fields no column fills: ${unknownMatch.join(', ')}.`);
  const workflow = (await deps.workflows()).byCollection.get(collection) ?? null;
  const defaultState = workflow
    ? (schema.collections[collection]!.fields[workflow.state_field]?.defaultValue ?? null)
    : null;

  const counts = { rows: table.rows.length, insert: 0, update: 0, skip: 0, errors: 0 };
  const finish = (errors: RowError[], written: boolean): ImportReport => ({
    collection,
    mode: options.mode,
    dry_run: options.dry_run,
    written,
    replayed: false,
    checksum: request.checksum,
    ...(vocabularies.length
      ? {
          vocabularies: vocabularies.map((target) => ({
            field: target.field,
            collection: target.collection,
            created: target.created.length,
            names: target.created.slice(0, LISTED_NAMES),
          })),
        }
      : {}),
    counts: { ...counts, errors: errors.length },
    errors: sortErrors(errors),
  });
  // The created vocabulary items' action hooks (flows, activity listeners), run once the import committed.
  const createdActions: ActionEvent[] = [];

  try {
    const done = await deps.database.transaction(async (trx) => {
      // Imported rows publish no domain events unless asked (events/install.ts honours the setting): history must
      // not notify every requester, and each event costs its trigger's work at commit.
      if (!options.notify) await trx.raw(`SET LOCAL ${EVENTS_SETTING} = 'off'`);
      const directus = await directusInternals();
      const context = { knex: trx, schema };
      // Directus's payload checks with the caller's rules fetched once per action, not per row (payload-checks.ts).
      const checks = new Map<'create' | 'update', Promise<PayloadCheck>>();
      const checkFor = (action: 'create' | 'update') => {
        let check = checks.get(action);
        if (!check) checks.set(action, (check = payloadCheck({ accountability, action, collection }, context)));
        return check;
      };
      const sets = await uniqueSets(trx, collection);
      for (const target of vocabularies) {
        const unique = target.key === schema.collections[target.collection]!.primary;
        if (!unique && !(await uniqueSets(trx, target.collection)).some((set) => sameSet(set, [target.key])))
          throw new ImportRefused(
            `vocabularies: ${target.collection}.${target.key} is not unique (no unique index on it), so names cannot identify its items.`,
          );
      }
      if (match.length && !sameSet(match, [info.primary]) && !sets.some((set) => sameSet(set, match)))
        throw new ImportRefused(`match: ${match.join(' + ')} is not unique in ${collection} (no unique index on it).`);
      const planned = planRows(table, plan.targets, info);
      counts.skip = planned.skipped;
      const errors: RowError[] = [...planned.errors];
      const checkedSets = [...sets, ...(match.length ? [match] : [])];
      errors.push(...duplicatesInFile(planned.rows, checkedSets));
      const failed = new Set(errors.map((error) => error.row));
      const prepared: Prepared[] = [];

      const toCheck = planned.rows.filter((row) => !failed.has(row.row));
      // Rows skipped or refused while planning count as checked.
      const progress: ImportProgress = {
        phase: 'checking',
        rows_total: table.rows.length,
        rows_checked: table.rows.length - toCheck.length,
        rows_written: 0,
      };
      const tell = (change: Partial<ImportProgress>) =>
        request.onProgress ? request.onProgress(Object.assign(progress, change)) : Promise.resolve();
      await tell({});
      for (const chunk of chunksOf(toCheck, CHUNK_ROWS)) {
        // Relations by natural key, as the caller may read them (a key they cannot see is "not found").
        for (const [field, target] of relationTargets) {
          const keys = [...new Set(chunk.map((row) => row.values[field]).filter((value) => value !== null))];
          if (keys.length === 0) continue;
          const items = await timed('relations', () =>
            new deps.ItemsService(target.related, { schema, accountability, knex: trx }).readByQuery({
              fields: [target.primary, target.key],
              filter: { [target.key]: { _in: keys } },
              limit: -1,
            }),
          );
          const byKey = new Map(items.map((item) => [String(item[target.key]), item[target.primary]]));
          for (const row of chunk) {
            const value = row.values[field];
            if (value === null) continue;
            const found = byKey.get(String(value));
            if (found === undefined) {
              errors.push({
                row: row.row,
                field,
                code: 'RELATION_NOT_FOUND',
                message: `No ${target.related} item with ${target.key} "${String(value)}" that you can see.`,
              });
              failed.add(row.row);
            } else row.values[field] = found;
          }
        }
        for (const target of vocabularies) {
          const rows = chunk.filter((row) => !failed.has(row.row));
          const refusals = await timed('vocabularies', () =>
            resolveNames(deps, trx, target, rows, { schema, accountability }, createdActions),
          );
          errors.push(...refusals);
          refusals.forEach((error) => failed.add(error.row));
          const type = info.fields[target.field]!.type;
          for (const row of rows)
            if (!failed.has(row.row) && Array.isArray(row.values[target.field]))
              row.values[target.field] = storedNames(row.values[target.field] as string[], type);
        }
        const live = chunk.filter((row) => !failed.has(row.row));
        // Insert or update: decided on the stored rows (root knex inside the transaction): the caller's permission
        // to update a matched row is checked below, as REST would check a PATCH of it.
        const existing = match.length
          ? await existingBy(trx, collection, info.primary, match, live)
          : new Map<string, Key>();
        const decided = decideActions(live, options.mode, match, existing);
        errors.push(...decided.errors);
        decided.errors.forEach((error) => failed.add(error.row));
        let actions: Action[] = decided.actions;

        // Unique values already stored on another row (a duplicate key would otherwise fail the whole chunk).
        for (const set of sets) {
          const relevant = actions.filter((action) => set.every((field) => field in action.row.values));
          if (relevant.length === 0) continue;
          const stored = await existingBy(
            trx,
            collection,
            info.primary,
            set,
            relevant.map((action) => action.row),
          );
          for (const action of relevant) {
            const key = keyOf(action.row.values, set);
            const owner = key === null ? undefined : stored.get(key);
            if (owner === undefined || (action.kind === 'update' && String(owner) === String(action.key))) continue;
            errors.push({
              row: action.row.row,
              field: set.join(','),
              code: 'DUPLICATE_IN_DATABASE',
              message: `Another item has this ${set.join(' + ')} already.`,
            });
            failed.add(action.row.row);
          }
        }
        actions = actions.filter((action) => !failed.has(action.row.row));

        const afterHooks: Array<{ action: Action; payload: Payload }> = [];
        for (const action of actions) {
          const payload = { ...action.row.values };
          // An update changes the matched row, as a PATCH of its key would: the match fields are its identity (equal
          // to the stored values), not changes, so they need no update permission.
          if (action.kind === 'update') for (const field of [info.primary, ...match]) delete payload[field];
          // An upserted row without a match value is new: the database assigns those fields (e.g. a ticket number).
          else for (const field of match) if (payload[field] === null) delete payload[field];
          try {
            const event =
              action.kind === 'insert'
                ? ['items.create', `${collection}.items.create`]
                : ['items.update', `${collection}.items.update`];
            const meta = action.kind === 'insert' ? { collection } : { collection, keys: [action.key] };
            afterHooks.push({
              action,
              payload: await timed('filters', () =>
                directus.emitFilter(event, payload, meta, { database: trx, schema, accountability }),
              ),
            });
          } catch (error) {
            errors.push(...errorsOf(error, action.row.row, workflow?.state_field ?? null));
            failed.add(action.row.row);
          }
        }

        // The caller's update permission on the matched rows (row rules and field lists), in one check per chunk;
        // only when it refuses are the rows checked one by one, to name them.
        const updates = afterHooks.filter(({ action }) => action.kind === 'update');
        if (updates.length && !accountability.admin) {
          const keys = updates.map(({ action }) => (action as { key: Key }).key);
          const fields = [...new Set(updates.flatMap(({ payload }) => Object.keys(payload)))];
          const check = (primaryKeys: Key[], fieldList: string[]) =>
            directus.validateAccess(
              { accountability, action: 'update', collection, primaryKeys, fields: fieldList },
              context,
            );
          const refused = await check(keys, fields).then(
            () => false,
            () => true,
          );
          if (refused) {
            for (const { action, payload } of updates) {
              try {
                await check([(action as { key: Key }).key], Object.keys(payload));
              } catch (error) {
                errors.push(...errorsOf(error, action.row.row));
                failed.add(action.row.row);
              }
            }
          }
        }

        for (const { action, payload } of afterHooks) {
          if (failed.has(action.row.row)) continue;
          let written: Payload;
          try {
            written = accountability.admin
              ? payload
              : await timed('processPayload', async () =>
                  (await checkFor(action.kind === 'insert' ? 'create' : 'update'))(payload),
                );
          } catch (error) {
            errors.push(...errorsOf(error, action.row.row));
            failed.add(action.row.row);
            continue;
          }
          if (action.kind === 'insert' && workflow) {
            const state = written[workflow.state_field] ?? defaultState;
            const decision = state === null || state === undefined ? null : decideInitial(workflow, String(state));
            if (decision && !decision.ok) {
              errors.push({
                row: action.row.row,
                field: workflow.state_field,
                code: 'TRANSITION_NOT_ALLOWED',
                message: decision.message,
              });
              failed.add(action.row.row);
              continue;
            }
          }
          prepared.push({
            row: action.row.row,
            kind: action.kind,
            key: action.kind === 'update' ? action.key : null,
            payload: withSpecials(schema, collection, written, action.kind, accountability, action),
          });
        }
        await tell({ rows_checked: progress.rows_checked + chunk.length });
      }

      if (errors.length === 0) {
        await tell({ phase: 'writing', rows_checked: table.rows.length });
        for (const chunk of chunksOf(prepared, CHUNK_ROWS)) {
          errors.push(...(await timed('write', () => writeOrExplain(trx, collection, info.primary, chunk))));
          await tell({ rows_written: progress.rows_written + chunk.length });
        }
      }
      counts.insert = prepared.filter((row) => row.kind === 'insert').length;
      counts.update = prepared.filter((row) => row.kind === 'update').length;
      if (errors.length > 0 || options.dry_run) throw new Rollback(finish(errors, false));
      const report = finish([], true);
      await request.onSuccess(trx, report);
      return report;
    });
    const directus = await directusInternals();
    for (const action of createdActions) directus.emitAction(action.event, action.meta, action.context);
    return done;
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
}

/** What Directus's PayloadService fills on create and update: uuid keys, user and date created/updated. */
function withSpecials(
  schema: SchemaOverview,
  collection: string,
  payload: Payload,
  kind: 'insert' | 'update',
  accountability: Accountability,
  action: Action,
): Payload {
  const overview = schema.collections[collection]!;
  const result: Payload = { ...payload };
  const now = new Date().toISOString();
  for (const field of Object.values(overview.fields)) {
    const special = field.special ?? [];
    if (kind === 'insert') {
      if (special.includes('uuid') && (result[field.field] === undefined || result[field.field] === null))
        result[field.field] = randomUUID();
      if (special.includes('user-created')) result[field.field] = accountability.user ?? null;
      if (special.includes('date-created')) result[field.field] = now;
    }
    // As REST: the updated stamps are filled on update only.
    if (kind === 'update' && special.includes('user-updated')) result[field.field] = accountability.user ?? null;
    if (kind === 'update' && special.includes('date-updated')) result[field.field] = now;
  }
  if (kind === 'update') result[overview.primary] = (action as { key: Key }).key;
  return result;
}

interface VocabularyState extends VocabularyTarget {
  /** Names seen to exist (or created) so far in this run, so each chunk looks up only new names. */
  known: Set<string>;
  created: string[];
}

/** The vocabularies option, checked against the schema before the transaction (a misfit refuses the file). */
function checkedVocabularies(
  schema: SchemaOverview,
  collection: string,
  options: ImportOptions,
  targets: Array<{ field: string; naturalKey: string | null; vocabulary?: boolean }>,
): VocabularyState[] {
  const checked = vocabularyTargets(options.vocabularies ?? {}, options.create_missing ?? []);
  if (!checked.ok) throw new ImportRefused(checked.reason);
  return checked.targets.map((target) => {
    const column = targets.find((candidate) => candidate.field === target.field);
    if (!column) throw new ImportRefused(`vocabularies names a field no column fills: ${target.field}.`);
    if (column.naturalKey !== null)
      throw new ImportRefused(`${target.field} is in both relations and vocabularies: give it in one.`);
    const type = schema.collections[collection]!.fields[target.field]!.type;
    if (!VOCABULARY_FIELD_TYPES.includes(type))
      throw new ImportRefused(
        `vocabularies: ${collection}.${target.field} is a ${type} field; a list of names goes in a json or csv field.`,
      );
    // System collections have their own services (users, roles): never created through an import.
    if (!isDataCollection(schema, target.collection))
      throw new ImportRefused(`vocabularies: no collection ${target.collection} to take names from.`);
    const vocabulary = schema.collections[target.collection]!;
    if (!vocabulary.fields[target.key])
      throw new ImportRefused(`vocabularies: ${target.collection} has no field "${target.key}".`);
    column.vocabulary = true;
    return { ...target, known: new Set<string>(), created: [] };
  });
}

/**
 * The chunk's names of one vocabulary field: those the caller can read are known; the others are created with the
 * caller's own create permission when create_missing names the field (under a savepoint, in the import's
 * transaction: a dry or rejected run rolls them back with the rest), else they are row errors. A refused creation
 * makes every row using a new name a row error.
 */
async function resolveNames(
  deps: ImportDeps,
  trx: Knex.Transaction,
  target: VocabularyState,
  rows: Array<{ row: number; values: Payload }>,
  access: { schema: SchemaOverview; accountability: Accountability },
  createdActions: ActionEvent[],
): Promise<RowError[]> {
  const { schema, accountability } = access;
  const wanted = distinctNames(rows, target.field).filter((name) => !target.known.has(name));
  if (wanted.length) {
    const service = new deps.ItemsService(target.collection, { schema, accountability, knex: trx });
    let items: Payload[] = [];
    try {
      items = await service.readByQuery({ fields: [target.key], filter: { [target.key]: { _in: wanted } }, limit: -1 });
    } catch (error) {
      // A caller who may not read the vocabulary sees none of it: every name is unknown to them, as for relations.
      if ((error as { code?: string }).code !== 'FORBIDDEN') throw error;
    }
    for (const item of items) target.known.add(String(item[target.key]));
  }
  const missing = wanted.filter((name) => !target.known.has(name));
  if (missing.length === 0) return [];
  if (!target.create)
    return unknownNameErrors(rows, target, target.known, 'VOCABULARY_NOT_FOUND', 'Not found (or not visible to you)');
  const pending: ActionEvent[] = [];
  try {
    await trx.transaction((savepoint) =>
      new deps.ItemsService(target.collection, { schema, accountability, knex: savepoint }).createMany(
        missing.map((name) => ({ [target.key]: name })),
        { bypassEmitAction: (event) => pending.push(event) },
      ),
    );
  } catch (error) {
    const refusal = errorsOf(error, 0)[0]!;
    return unknownNameErrors(
      rows,
      target,
      target.known,
      refusal.code === 'FORBIDDEN' ? 'VOCABULARY_CREATE_FORBIDDEN' : refusal.code,
      `Not found, and not created (${refusal.message.replace(/\.$/, '')})`,
    );
  }
  createdActions.push(...pending);
  for (const name of missing) target.known.add(name);
  target.created.push(...missing);
  return [];
}

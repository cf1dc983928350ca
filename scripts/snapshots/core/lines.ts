// Two lines of snapshot versions (decision 0029): the platform's own collections (workflows, notifications) and
// Directus system-field indexes, released with the platform and applied first whatever the domain; and the
// domain's versions (its collections, access, flows, settings and configuration rows). Each line owns a part of
// the schema: a schema apply for one line neither sees nor touches the other's part, so a domain version that
// leaves out the platform's collections does not drop them, and a platform upgrade does not touch the domain.
import type { SchemaSnapshot, VersionState } from './state.js';
import { EMPTY_SETTINGS } from './settings.js';

export type LineName = 'platform' | 'domain';

type Row = Record<string, unknown>;

/** Collections the platform line defines in any of its versions (a collection it dropped later stays its own). */
export function platformCollections(schemas: Array<Pick<SchemaSnapshot, 'collections'>>): Set<string> {
  return new Set(schemas.flatMap((schema) => schema.collections.map((row) => String(row.collection))));
}

/**
 * The part of a schema snapshot a line owns. The platform: its collections with their fields and relations, and
 * Directus's system fields (the indexes Groundwork adds to `directus_*`). The domain: every other collection,
 * no system fields. Other keys of the snapshot (Directus adds `directus`, `vendor`) are kept as they are.
 */
export function ownedPart<T extends Pick<SchemaSnapshot, 'collections' | 'fields' | 'systemFields' | 'relations'>>(
  schema: T,
  line: LineName,
  platform: ReadonlySet<string>,
): T {
  const owns = (row: Row) => platform.has(String(row.collection)) === (line === 'platform');
  return {
    ...schema,
    collections: schema.collections.filter(owns),
    fields: schema.fields.filter(owns),
    relations: schema.relations.filter(owns),
    systemFields: line === 'platform' ? schema.systemFields : [],
  };
}

/** The whole schema of a database: the platform's part and the domain's part together. */
export function combinedSchema(platform: SchemaSnapshot, domain: SchemaSnapshot): SchemaSnapshot {
  return {
    version: domain.version,
    collections: [...platform.collections, ...domain.collections],
    fields: [...platform.fields, ...domain.fields],
    systemFields: platform.systemFields,
    relations: [...platform.relations, ...domain.relations],
  };
}

/** Files a platform version may hold: its schema and SQL. Rows (access, flows, settings, data) are the domain's. */
export function isPlatformFile(file: string): boolean {
  return file === 'schema.json' || file === 'manifest.json' || /^migrate(-[a-z0-9-]+)?\.ts$/.test(file);
}

/**
 * Why a version cannot be in its line, or nothing: a platform version holding rows, or a domain version defining
 * a collection or system field the platform owns (applying it would fight the platform's line).
 */
export function lineProblems(
  line: LineName,
  where: string,
  files: string[],
  schema: Pick<SchemaSnapshot, 'collections' | 'systemFields'>,
  platform: ReadonlySet<string>,
): string[] {
  if (line === 'platform') {
    const rows = files.filter((file) => !isPlatformFile(file));
    return rows.length
      ? [`${where} holds ${rows.join(', ')}: platform versions hold schema.json and migrate.ts only; rows belong to the domain`]
      : [];
  }
  const problems: string[] = [];
  const taken = schema.collections.map((row) => String(row.collection)).filter((name) => platform.has(name));
  if (taken.length) problems.push(`${where} defines ${taken.join(', ')}, which the platform's snapshot line owns`);
  if (schema.systemFields.length) {
    problems.push(`${where} has systemFields: indexes on Directus's own tables belong to the platform's line`);
  }
  return problems;
}

/** A platform version's state: its schema, and nothing else (the migrator never writes rows for it). */
export function platformState(schema: SchemaSnapshot): VersionState {
  return {
    schema,
    access: { roles: [], policies: [], permissions: [], access: [] },
    flows: { flows: [], operations: [] },
    insights: { dashboards: [], panels: [] },
    data: {},
    settings: EMPTY_SETTINGS,
  };
}

/** One transaction of a run: whose part of the schema it applies, and each line's versions in it, platform first. */
export interface LineStep<S> {
  part: LineName | 'both';
  steps: Array<{ line: LineName; step: S }>;
}

/**
 * The order of a run over both lines: the platform's steps, then the domain's. The platform's last step and the
 * domain's first share one transaction and one schema apply (the usual run has one step per line, so a fresh
 * database gets its schema applied once); earlier platform steps and later domain steps apply only their own part.
 */
export function orderLineSteps<S>(platform: S[], domain: S[]): Array<LineStep<S>> {
  const own = (line: LineName) => (step: S) => ({ part: line, steps: [{ line, step }] });
  if (!platform.length || !domain.length) return [...platform.map(own('platform')), ...domain.map(own('domain'))];
  return [
    ...platform.slice(0, -1).map(own('platform')),
    {
      part: 'both',
      steps: [
        { line: 'platform', step: platform.at(-1) as S },
        { line: 'domain', step: domain[0] as S },
      ],
    },
    ...domain.slice(1).map(own('domain')),
  ];
}

/**
 * The domain's configuration rows live in platform collections (workflow definitions, notification rules), which
 * the platform may widen with a field of its own. A row states the columns a version lists; a column it does not
 * list and that holds the field's default (null when there is none) is left out, so a platform field added later
 * is not drift in the domain's line, and migrate (which writes only listed columns) leaves it at its default.
 */
export function alignDataRows<R extends Row>(rows: R[], listed: ReadonlySet<string>, defaults: ReadonlyMap<string, unknown>): R[] {
  return rows.map(
    (row) =>
      Object.fromEntries(
      Object.entries(row).filter(
        ([column, value]) =>
            listed.has(column) || JSON.stringify(value ?? null) !== JSON.stringify(defaults.get(column) ?? null),
        ),
      ) as R,
  );
}

/** Each field's column default in a schema snapshot, for one collection. */
export function columnDefaults(schema: Pick<SchemaSnapshot, 'fields'>, collection: string): Map<string, unknown> {
  return new Map(
    schema.fields
      .filter((row) => row.collection === collection)
      .map((row) => [String(row.field), (row.schema as Row | null)?.default_value ?? null]),
  );
}

// How a run applies its pending versions: which schema each data migration runs on, and which transactions there
// are. Versions hold the full state (decision 0006), so a version without a data migration is superseded by the
// next one and needs only its ledger row; the schema is applied once, the latest, unless a data migration needs
// its own version's schema (something it has that the latest lacks or defines differently).

type Row = Record<string, unknown>;

export interface SchemaFile {
  collections: Row[];
  fields: Row[];
  relations: Row[];
}

export interface PendingVersion {
  folder: string;
  hasDataMigration: boolean;
  schema: SchemaFile;
}

/** One transaction: apply `schemaOf`'s schema, then per version in order write its state and run `up` (if said), and its ledger row. */
export interface MigrationStep {
  schemaOf: string;
  versions: Array<{ folder: string; writeState: boolean; runDataMigration: boolean }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether everything a data migration could touch in `inner` is in `outer` unchanged: every collection, every
 * field with its type and column definition, every relation with its foreign key. Presentation (`meta`) is
 * ignored: data migrations work on tables and columns.
 */
export function schemaContains(outer: SchemaFile, inner: SchemaFile): boolean {
  const index = (rows: Row[], key: (row: Row) => string) => new Map(rows.map((row) => [key(row), row]));
  const byCollection = (row: Row) => String(row.collection);
  const byField = (row: Row) => `${String(row.collection)}.${String(row.field)}`;
  const collections = index(outer.collections, byCollection);
  const fields = index(outer.fields, byField);
  const relations = index(outer.relations, byField);
  return (
    inner.collections.every((row) => {
      const other = collections.get(byCollection(row));
      return other !== undefined && same(other.schema ?? null, row.schema ?? null);
    }) &&
    inner.fields.every((row) => {
      const other = fields.get(byField(row));
      return other !== undefined && other.type === row.type && same(other.schema ?? null, row.schema ?? null);
    }) &&
    inner.relations.every((row) => {
      const other = relations.get(byField(row));
      return (
        other !== undefined &&
        other.related_collection === row.related_collection &&
        same(other.schema ?? null, row.schema ?? null)
      );
    })
  );
}

/**
 * The steps for pending versions, in order. A data migration whose version's schema the latest contains runs on
 * the latest schema; one that needs its own (and every data migration before it, so the order of their effects
 * stays) gets a step with its own schema. The last step applies the latest schema and writes the latest state.
 */
export function planSteps(pending: PendingVersion[]): MigrationStep[] {
  const latest = pending.at(-1);
  if (!latest) return [];
  const lastPinned = pending.findLastIndex(
    (version) => version.hasDataMigration && !schemaContains(latest.schema, version.schema),
  );
  const steps: MigrationStep[] = [];
  let current: MigrationStep['versions'] = [];
  pending.forEach((version, index) => {
    const last = index === pending.length - 1;
    current.push({ folder: version.folder, writeState: version.hasDataMigration || last, runDataMigration: version.hasDataMigration });
    if (index <= lastPinned && version.hasDataMigration) {
      steps.push({ schemaOf: version.folder, versions: current });
      current = [];
    }
  });
  if (current.length > 0) steps.push({ schemaOf: latest.folder, versions: current });
  return steps;
}

// Data migration of the search version (copied into snapshots/NNNN-search/ by the authoring script; decision 0039):
// builds the indexes of every row of search_collections, which the same migrate step has just written. A later
// version that adds a collection to the search posts its row and names this same file as its data migration, so
// adding a collection takes a snapshot version, not code. The indexes are expression indexes (no column Directus
// would list or return): PostgreSQL keeps them current in the transaction of every write, whoever writes. Creating
// one reads every existing row: that is the backfill (progress in pg_stat_progress_create_index; 50k tickets in
// docs/benchmarks.md). The document expression must stay byte-equal to the platform's
// (extensions/platform/src/search/core/sql.ts documentExpression), or the route's queries stop using the index:
// spec/search/migrate.test.ts compares them.
import type { Knex } from 'knex';

interface Row {
  collection: string;
  language: string;
  fields: Array<{ field: string; weight: string; typo?: boolean }>;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function documentExpression(row: Pick<Row, 'language' | 'fields'>): string {
  return row.fields
    .map(
      ({ field, weight }) =>
        `setweight(to_tsvector('${row.language}'::regconfig, coalesce("${field}"::text, '')), '${weight}')`,
    )
    .join(' || ');
}

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw('create extension if not exists pg_trgm');
  const rows = (await database('search_collections').select('collection', 'language', 'fields')) as Row[];
  for (const row of rows) {
    const fields = typeof row.fields === 'string' ? (JSON.parse(row.fields) as Row['fields']) : row.fields;
    const names = [row.collection, ...fields.map(({ field }) => field)];
    if (!names.every((name) => NAME.test(name)) || !/^[a-z_]{1,63}$/.test(row.language)) {
      throw new Error(`search_collections row ${row.collection}: names must be lowercase identifiers`);
    }
    const document = documentExpression({ language: row.language, fields });
    await database.raw(
      `create index if not exists "${`search_${row.collection}_document`.slice(0, 63)}" on "${row.collection}" using gin ((${document}))`,
    );
    for (const { field, typo } of fields) {
      if (!typo) continue;
      await database.raw(
        `create index if not exists "${`search_${row.collection}_${field}_trgm`.slice(0, 63)}" on "${row.collection}" using gin ("${field}" gin_trgm_ops)`,
      );
    }
  }
}

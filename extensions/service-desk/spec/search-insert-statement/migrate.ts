// Data migration of the search-insert-statement version (copied into snapshots/NNNN-search-insert-statement/ by the
// authoring script), and from it on the search's data migration: it supersedes search/migrate.ts (released with
// 0008-search, so unchanged), and a later version that adds a collection to the search posts its row and names this
// file. For every row of search_collections: the document table groundwork.search_document_<collection> (primary key,
// weighted tsvector, GIN index) kept in the transaction of every write, whoever writes, and a trigram index on each
// `typo` field (decision 0039). What changed from search/migrate.ts: inserts are synced by a statement trigger over
// the statement's new rows (one insert of documents per statement; imports and seeds write thousands of rows per
// statement, and paid one document insert per row), updates still by the row trigger, since PostgreSQL gives no
// transition table to a trigger on `update of <columns>`; and the backfill runs only into an empty document table (a
// filled one was kept by its trigger, so running this again rewrites nothing). The document expression must stay
// equal to the platform's (extensions/platform/src/search/core/sql.ts documentExpression), which the route uses to
// recheck matches on the fields a caller may read: spec/search/migrate.test.ts compares them.
import type { Knex } from 'knex';

interface Row {
  collection: string;
  language: string;
  fields: Array<{ field: string; weight: string; typo?: boolean }>;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function documentExpression(
  row: Pick<Row, 'language' | 'fields'>,
  column: (field: string) => string = (field) => `"${field}"`,
): string {
  return row.fields
    .map(
      ({ field, weight }) =>
        `setweight(to_tsvector('${row.language}'::regconfig, coalesce(${column(field)}::text, '')), '${weight}')`,
    )
    .join(' || ');
}

export const documentTable = (collection: string): string => `search_document_${collection}`.slice(0, 63);

/** Fills (or refills) a collection's document table from its rows. */
export function backfillStatement(row: Pick<Row, 'collection' | 'language' | 'fields'>, primaryKey: string): string {
  return `insert into groundwork."${documentTable(row.collection)}" (id, document)
    select "${primaryKey}", ${documentExpression(row)} from "${row.collection}"
    on conflict (id) do update set document = excluded.document`;
}

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  await database.raw('create extension if not exists pg_trgm');
  await database.raw('create schema if not exists groundwork');
  const rows = (await database('search_collections').select('collection', 'language', 'fields')) as Row[];
  for (const stored of rows) {
    const fields = typeof stored.fields === 'string' ? (JSON.parse(stored.fields) as Row['fields']) : stored.fields;
    const row = { ...stored, fields };
    const names = [row.collection, ...fields.map(({ field }) => field)];
    if (!names.every((name) => NAME.test(name)) || !/^[a-z_]{1,63}$/.test(row.language)) {
      throw new Error(`search_collections row ${row.collection}: names must be lowercase identifiers`);
    }
    const key = (await database.raw(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_index i
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = ?::regclass and i.indisprimary`,
      [`public."${row.collection}"`],
    )) as { rows: Array<{ name: string; type: string }> };
    if (key.rows.length !== 1) throw new Error(`search: ${row.collection} needs a one-column primary key`);
    const { name: primaryKey, type } = key.rows[0]!;
    const table = `groundwork."${documentTable(row.collection)}"`;
    const sync = `groundwork."${`search_sync_${row.collection}`.slice(0, 63)}"`;
    const syncInserted = `groundwork."${`search_sync_inserted_${row.collection}`.slice(0, 63)}"`;
    await database.raw(
      `create table if not exists ${table} (
         id ${type} primary key references public."${row.collection}" ("${primaryKey}") on delete cascade,
         document tsvector not null)`,
    );
    await database.raw(
      `create index if not exists "${`${documentTable(row.collection)}_gin`.slice(0, 63)}" on ${table} using gin (document)`,
    );
    await database.raw(
      `create or replace function ${sync}() returns trigger language plpgsql as $$
       begin
         insert into ${table} (id, document)
           values (new."${primaryKey}", ${documentExpression(row, (field) => `new."${field}"`)})
           on conflict (id) do update set document = excluded.document;
         return null;
       end $$`,
    );
    await database.raw(
      `create or replace function ${syncInserted}() returns trigger language plpgsql as $$
       begin
         insert into ${table} (id, document)
           select n."${primaryKey}", ${documentExpression(row, (field) => `n."${field}"`)} from search_new_rows n
           on conflict (id) do update set document = excluded.document;
         return null;
       end $$`,
    );
    await database.raw(`drop trigger if exists search_sync on "${row.collection}"`);
    await database.raw(`drop trigger if exists search_sync_inserted on "${row.collection}"`);
    await database.raw(
      `create trigger search_sync after update of ${fields.map(({ field }) => `"${field}"`).join(', ')}
         on "${row.collection}" for each row execute function ${sync}()`,
    );
    await database.raw(
      `create trigger search_sync_inserted after insert on "${row.collection}"
         referencing new table as search_new_rows for each statement execute function ${syncInserted}()`,
    );
    const empty = (
      (await database.raw(`select not exists (select 1 from ${table}) as empty`)) as {
        rows: Array<{ empty: boolean }>;
      }
    ).rows[0]!.empty;
    if (empty) {
      const filled = (await database.raw(backfillStatement(row, primaryKey))) as { rowCount: number };
      console.log(`search: ${row.collection}: ${filled.rowCount} documents`);
    } else console.log(`search: ${row.collection}: documents kept (the table was filled before)`);
    for (const { field, typo } of fields) {
      if (!typo) continue;
      await database.raw(
        `create index if not exists "${`search_${row.collection}_${field}_trgm`.slice(0, 63)}" on "${row.collection}" using gin ("${field}" gin_trgm_ops)`,
      );
    }
  }
}

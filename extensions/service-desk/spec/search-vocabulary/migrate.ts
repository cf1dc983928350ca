// Data migration of the search-vocabulary version (copied into snapshots/NNNN-search-vocabulary/ by the authoring
// script), and from it on the search's data migration: it supersedes search-insert-statement/migrate.ts (released
// with 0018, so unchanged), and a later version that adds a collection to the search posts its row and names this
// file. For every row of search_collections: the document table groundwork.search_document_<collection> (primary key,
// weighted tsvector, GIN index) kept in the transaction of every write, whoever writes (inserts by a statement
// trigger over the statement's new rows, updates by a row trigger), and backfilled only into an empty table.
// What changed from search-insert-statement/migrate.ts (decision 0079): typo tolerance looks a misspelled word up in
// groundwork.search_vocabulary_<collection>, the distinct lexemes of the collection's `typo` fields with a trigram
// index, kept by the same triggers (a word is added when first written, never removed: a stale word finds no
// document), and then matches the documents' GIN index on those lexemes. The trigram index on each typo field of the
// collection's own table is dropped: matching `<%` on the rows read every row when the word is similar to a common
// one (7-10 s at 1,000,000 tickets, docs/benchmarks.md), and each write paid for it. And the text is parsed with a
// hyphen between a letter or digit and a digit read as a space (decision 0080: PostgreSQL's parser made `-1042` of
// `SD-1042`, which no query word matched); kept documents of rows with such a hyphen are reparsed. The document expression must
// stay equal to the platform's (extensions/platform/src/search/core/sql.ts documentExpression), and the table names
// to the platform's documentTable and vocabularyTable: spec/search/migrate.test.ts compares them.
import type { Knex } from 'knex';

interface Row {
  collection: string;
  language: string;
  fields: Array<{ field: string; weight: string; typo?: boolean }>;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Two passes: a match takes the character on each side, so `a-0-1` leaves `-1` to the second. No `?` (lookaround)
 * in the pattern, which knex would read as a binding.
 */
const HYPHEN_BEFORE_DIGIT = `'([[:alnum:]])-([[:digit:]])', '\\1 \\2', 'g'`;

/** A field's text as the search parses it: a hyphen between a letter or digit and a digit separates two words. */
const searchableText = (text: string): string =>
  `regexp_replace(regexp_replace(coalesce(${text}::text, ''), ${HYPHEN_BEFORE_DIGIT}), ${HYPHEN_BEFORE_DIGIT})`;

/** The rows whose document an earlier version stored otherwise: a hyphen between a letter or digit and a digit. */
export const parsedOtherwiseBefore = (
  fields: Row['fields'],
  column: (field: string) => string = (field) => `"${field}"`,
): string => fields.map(({ field }) => `${column(field)}::text ~ '[[:alnum:]]-[[:digit:]]'`).join(' or ');

export function documentExpression(
  row: Pick<Row, 'language' | 'fields'>,
  column: (field: string) => string = (field) => `"${field}"`,
): string {
  return row.fields
    .map(
      ({ field, weight }) =>
        `setweight(to_tsvector('${row.language}'::regconfig, ${searchableText(column(field))}), '${weight}')`,
    )
    .join(' || ');
}

export const documentTable = (collection: string): string => `search_document_${collection}`.slice(0, 63);
export const vocabularyTable = (collection: string): string => `search_vocabulary_${collection}`.slice(0, 63);

/**
 * The words of a row's typo fields that typo tolerance may stand a misspelled word for, as a set-returning SQL
 * expression: their lexemes of three letters or more, without a digit (codes and numbers are not misspelled) and
 * without `@`, `.` or `/`: the parser keeps an email address, a host, a URL or a path whole as one lexeme, and a
 * person's email address must not outlive their erasure (decision 0021) in a table that never drops a word.
 */
export function vocabularyWords(
  row: Pick<Row, 'language' | 'fields'>,
  column: (field: string) => string = (field) => `"${field}"`,
): string | null {
  const typo = row.fields.filter(({ typo }) => typo);
  if (typo.length === 0) return null;
  return `select word from unnest(tsvector_to_array(${typo
    .map(({ field }) => `to_tsvector('${row.language}'::regconfig, ${searchableText(column(field))})`)
    .join(' || ')})) as word where char_length(word) >= 3 and word !~ '[0-9@./]'`;
}

/**
 * Adds the words of some rows to the vocabulary: in sorted order, so two writers adding the same new words lock them
 * in the same order and never deadlock.
 */
const addWords = (vocabulary: string, words: string, from: string | null) =>
  `insert into ${vocabulary} (word) select distinct w.word from ${from === null ? '' : `${from}, lateral `}(${words}) as w
     order by 1 on conflict (word) do nothing`;

/** Fills (or refills) a collection's document table from its rows, or from those the condition keeps. */
export function backfillStatement(
  row: Pick<Row, 'collection' | 'language' | 'fields'>,
  primaryKey: string,
  where: string | null = null,
): string {
  return `insert into groundwork."${documentTable(row.collection)}" (id, document)
    select "${primaryKey}", ${documentExpression(row)} from "${row.collection}"${where === null ? '' : ` where ${where}`}
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
    const vocabulary = `groundwork."${vocabularyTable(row.collection)}"`;
    const words = (record: string) => vocabularyWords(row, (field) => `${record}."${field}"`);
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
    if (words('r') !== null) {
      await database.raw(`create table if not exists ${vocabulary} (word text primary key)`);
      await database.raw(
        `create index if not exists "${`${vocabularyTable(row.collection)}_trgm`.slice(0, 63)}" on ${vocabulary} using gin (word gin_trgm_ops)`,
      );
    }
    await database.raw(
      `create or replace function ${sync}() returns trigger language plpgsql as $$
       begin
         insert into ${table} (id, document)
           values (new."${primaryKey}", ${documentExpression(row, (field) => `new."${field}"`)})
           on conflict (id) do update set document = excluded.document;
         ${words('new') === null ? '' : `${addWords(vocabulary, words('new')!, null)};`}
         return null;
       end $$`,
    );
    await database.raw(
      `create or replace function ${syncInserted}() returns trigger language plpgsql as $$
       begin
         insert into ${table} (id, document)
           select n."${primaryKey}", ${documentExpression(row, (field) => `n."${field}"`)} from search_new_rows n
           on conflict (id) do update set document = excluded.document;
         ${words('r') === null ? '' : `${addWords(vocabulary, words('r')!, 'search_new_rows as r')};`}
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
    } else {
      // Documents of earlier versions are kept, but for the rows whose text this version's parsing reads otherwise.
      const refilled = (await database.raw(backfillStatement(row, primaryKey, parsedOtherwiseBefore(fields)))) as {
        rowCount: number;
      };
      console.log(`search: ${row.collection}: documents kept, ${refilled.rowCount} reparsed (a hyphen before a digit)`);
    }
    // Filled once from the rows, like the documents; from then on the triggers add what is written.
    const vocabularyEmpty =
      words('r') !== null &&
      (
        (await database.raw(`select not exists (select 1 from ${vocabulary}) as empty`)) as {
          rows: Array<{ empty: boolean }>;
        }
      ).rows[0]!.empty;
    if (vocabularyEmpty) {
      const added = (await database.raw(addWords(vocabulary, words('r')!, `"${row.collection}" as r`))) as {
        rowCount: number;
      };
      console.log(`search: ${row.collection}: ${added.rowCount} words in the typo vocabulary`);
    }
    // Typo tolerance reads the vocabulary now: the trigram indexes on the rows only cost writes.
    for (const { field } of fields)
      await database.raw(`drop index if exists "${`search_${row.collection}_${field}_trgm`.slice(0, 63)}"`);
  }
}

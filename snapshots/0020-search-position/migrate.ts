// Data migration of the search-position version (copied into snapshots/NNNN-search-position/ by the authoring
// script), decision 0082: every stored-document table gets `position`, numbered as documents are first stored (an
// identity: the rows already stored are numbered in the table's order, new ones after them; rewriting a document keeps
// its number), and an index on it. Past the search's cap (decision 0077) the candidates ranked are the highest
// positions, the most recently indexed rows: PostgreSQL walks this index backwards through a table stored in about
// that order, instead of the base table's uuid key, a random read per entry (docs/benchmarks.md, "Newest documents
// first"). search-vocabulary/migrate.ts stays the search's data migration (it creates a new collection's tables); a
// later version that adds a collection runs it and then this file, which is why this one reads search_collections
// and skips what is already there.
import type { Knex } from 'knex';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const documentTable = (collection: string): string => `search_document_${collection}`.slice(0, 63);
export const positionIndex = (collection: string): string => `${documentTable(collection)}_position`.slice(0, 63);

export async function up({ database }: { database: Knex.Transaction }): Promise<void> {
  const rows = (await database('search_collections').select('collection')) as Array<{ collection: string }>;
  for (const { collection } of rows) {
    if (!NAME.test(collection)) throw new Error(`search_collections row ${collection}: not a lowercase identifier`);
    const table = `groundwork."${documentTable(collection)}"`;
    // Adding an identity column rewrites the table once (about 15 s at 1,000,000 documents, measured).
    await database.raw(`alter table ${table} add column if not exists position bigint generated always as identity`);
    await database.raw(`create index if not exists "${positionIndex(collection)}" on ${table} (position)`);
    console.log(`search: ${collection}: documents numbered by position`);
  }
}

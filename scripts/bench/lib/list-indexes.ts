// The indexes of domain version list-indexes (decision 0031), which the read benches drop for their baseline and
// build again: its SQL ones and Directus's field indexes (`<collection>_<field>_index`).
import type pg from 'pg';
import { FIELD_INDEXES } from '../../../extensions/service-desk/spec/versions/list-indexes.js';
import { LIST_INDEXES } from '../../../extensions/service-desk/spec/list-indexes/migrate.js';

export const INDEXES = [
  ...LIST_INDEXES,
  ...FIELD_INDEXES.map(({ collection, field }) => ({
    name: `${collection}_${field}_index`,
    definition: `${collection} (${field})`,
  })),
];

/** Drops each by name; each must exist: a renamed index would otherwise stay and make the baseline wrong. */
export async function dropListIndexes(client: pg.Client): Promise<void> {
  const present = (
    await client.query(`select indexname from pg_indexes where indexname = any($1)`, [INDEXES.map((i) => i.name)])
  ).rows.map((row: { indexname: string }) => row.indexname);
  const missing = INDEXES.filter((index) => !present.includes(index.name)).map((index) => index.name);
  if (missing.length) throw new Error(`the migrated database lacks ${missing.join(', ')}`);
  for (const index of INDEXES) await client.query(`drop index ${index.name}`);
}

/** Builds them again as the migration does; returns the milliseconds it took. */
export async function createListIndexes(client: pg.Client): Promise<number> {
  const started = Date.now();
  for (const index of INDEXES) await client.query(`create index ${index.name} on ${index.definition}`);
  return Date.now() - started;
}

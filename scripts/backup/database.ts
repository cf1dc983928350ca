// The database side of a backup: what the manifest records, read in one transaction (the dump's snapshot).
import type pg from 'pg';
import { LEDGERS } from '../snapshots/database.js';
import type { LedgerEntry, Manifest } from './core/manifest.js';

/** Ordinary tables (partitions included) outside the system schemas, as "schema.table". */
export async function listTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
      order by 1`,
  );
  return rows.map((row) => row.name);
}

/** Relations of any kind (tables, views, sequences, ...) outside the system schemas: what makes a database non-empty. */
export async function listRelations(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
      order by 1`,
  );
  return rows.map((row) => row.name);
}

/** count(*) of every table, one after the other in the client's transaction; `onTable` reports progress. */
export async function countRows(
  client: pg.Client,
  onTable?: (index: number, total: number) => void,
): Promise<Record<string, number>> {
  const tables = await listTables(client);
  const counts: Record<string, number> = {};
  for (const [index, table] of tables.entries()) {
    const { rows } = await client.query<{ count: string }>(`select count(*) as count from ${table}`);
    counts[table] = Number(rows[0]!.count);
    onTable?.(index + 1, tables.length);
  }
  return counts;
}

export async function readLedgers(client: pg.Client): Promise<Manifest['ledgers']> {
  const read = async (table: string): Promise<LedgerEntry[]> => {
    const exists = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [table]);
    if (!exists.rows[0]?.found) return [];
    const { rows } = await client.query<LedgerEntry>(`select version, name, checksum from ${table} order by version`);
    return rows.map((row) => ({ version: Number(row.version), name: row.name, checksum: row.checksum }));
  };
  return { platform: await read(LEDGERS.platform), domain: await read(LEDGERS.domain) };
}

/** The files the database names, by storage location (directus_files.storage → filename_disk). */
export async function filesNamed(client: pg.Client): Promise<Record<string, string[]>> {
  const exists = await client.query<{ found: string | null }>("select to_regclass('directus_files')::text as found");
  if (!exists.rows[0]?.found) return {};
  const { rows } = await client.query<{ storage: string; name: string }>(
    'select storage, filename_disk as name from directus_files where filename_disk is not null',
  );
  const named: Record<string, string[]> = {};
  for (const row of rows) (named[row.storage] ??= []).push(row.name);
  return named;
}

export async function serverVersion(client: pg.Client): Promise<{ version: string; num: string }> {
  const { rows } = await client.query<{ version: string; num: string }>(
    "select current_setting('server_version') as version, current_setting('server_version_num') as num",
  );
  return rows[0]!;
}

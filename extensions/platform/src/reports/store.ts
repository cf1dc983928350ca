// The reports' I/O: the domain's definitions (groundwork.report_definitions, written by its snapshot version) read
// with the root knex, since they are configuration, not the caller's data; the figures read through Directus's
// ItemsService with the caller's accountability, so their own permissions on the rollup collection decide which
// report they may run and which rows (organizations) it sums.
import type { Accountability, EndpointExtensionContext, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { validateDefinitions, type DefinitionsResult } from './core/definition.js';

export interface ReportStore {
  definitions(): Promise<DefinitionsResult>;
  aggregate(
    collection: string,
    query: Record<string, unknown>,
    accountability: Accountability,
    schema: SchemaOverview,
  ): Promise<Array<Record<string, unknown>>>;
  /** The database's clock: the figures are as of the read, and "today" for age buckets is the database's. */
  now(): Promise<{ asOf: string; today: string }>;
}

const UNDEFINED_TABLE = '42P01';

export function reportStore(context: Pick<EndpointExtensionContext, 'database' | 'services'>): ReportStore {
  const database: Knex = context.database;
  return {
    async definitions() {
      try {
        const rows = (await database.raw('select name, definition from groundwork.report_definitions order by name'))
          .rows as Array<{ name: string; definition: unknown }>;
        return validateDefinitions(
          rows.map((row) => ({
            name: row.name,
            definition: typeof row.definition === 'string' ? (JSON.parse(row.definition) as unknown) : row.definition,
          })),
        );
      } catch (error) {
        // A deployment whose domain defines no reports has no table: no report exists.
        if ((error as { code?: string }).code === UNDEFINED_TABLE) return { ok: true, definitions: [] };
        throw error;
      }
    },
    async aggregate(collection, query, accountability, schema) {
      const service = new context.services.ItemsService(collection, { schema, accountability, knex: database });
      return (await service.readByQuery(query)) as Array<Record<string, unknown>>;
    },
    async now() {
      const row = (
        await database.raw(
          `select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as as_of,
                  to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as today`,
        )
      ).rows[0] as { as_of: string; today: string };
      return { asOf: row.as_of, today: row.today };
    },
  };
}

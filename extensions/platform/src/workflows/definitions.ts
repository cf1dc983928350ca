// Port: the workflow definitions stored in workflow_definitions, parsed, cached briefly (every instance re-reads
// them within DEFINITIONS_TTL_MS, so an edit in the admin app applies everywhere without a restart).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { definitionSchema, type WorkflowDefinition } from './core/definition.js';

export const DEFINITIONS_TABLE = 'workflow_definitions';
export const HISTORY_TABLE = 'workflow_history';
const DEFINITIONS_TTL_MS = 5000;

export interface LoadedDefinitions {
  byCollection: Map<string, WorkflowDefinition>;
  /** Collections whose stored definition does not parse: their triggers stay as the last good one made them. */
  invalid: string[];
  /** Changes when any definition changes: triggers are re-synced on a new fingerprint. */
  fingerprint: string;
}

const JSON_COLUMNS = ['states', 'initial_states', 'transitions', 'stamps'] as const;

export function createDefinitionStore(
  database: Knex,
  logger: { warn(details: object, message: string): void },
  onChange: (loaded: LoadedDefinitions) => Promise<void>,
) {
  let cached: { at: number; loaded: Promise<LoadedDefinitions> } | null = null;
  let fingerprint: string | null = null;

  async function load(): Promise<LoadedDefinitions> {
    const exists = await database.schema.hasTable(DEFINITIONS_TABLE);
    const rows: Record<string, unknown>[] = exists ? await database(DEFINITIONS_TABLE).select('*') : [];
    const byCollection = new Map<string, WorkflowDefinition>();
    const invalid: string[] = [];
    for (const row of rows) {
      const value = { ...row };
      for (const column of JSON_COLUMNS) {
        if (typeof value[column] === 'string') value[column] = JSON.parse(value[column] as string);
      }
      const parsed = definitionSchema.safeParse(value);
      if (parsed.success) byCollection.set(parsed.data.collection, parsed.data);
      // A broken definition is skipped (its collection is unguarded by the hook; the database trigger the last
      // good definition made stays and still refuses undefined moves) and logged without its content.
      else {
        invalid.push(String(row.collection));
        logger.warn({ collection: row.collection, issues: parsed.error.issues.length }, 'invalid workflow definition');
      }
    }
    invalid.sort();
    const loaded = {
      byCollection,
      invalid,
      fingerprint: createHash('sha256')
        .update(JSON.stringify([[...byCollection.values()], invalid]))
        .digest('hex'),
    };
    if (loaded.fingerprint !== fingerprint) {
      await onChange(loaded);
      fingerprint = loaded.fingerprint;
    }
    return loaded;
  }

  return {
    get(): Promise<LoadedDefinitions> {
      if (!cached || Date.now() - cached.at > DEFINITIONS_TTL_MS) {
        const loaded = load();
        cached = { at: Date.now(), loaded };
        loaded.catch(() => (cached = null));
      }
      return cached.loaded;
    },
    invalidate(): void {
      cached = null;
    },
  };
}

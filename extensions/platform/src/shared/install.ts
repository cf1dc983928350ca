// The platform's own tables, made at boot. Every capability installs under one advisory lock: PostgreSQL's
// CREATE ... IF NOT EXISTS is not safe against a concurrent creator (the loser fails with a unique violation on
// pg_class or pg_namespace), and instances starting together (scale-out), or two capabilities at the same boot step,
// would otherwise race on the `groundwork` schema and their tables.
import type { Knex } from 'knex';

export const PLATFORM_INSTALL_LOCK = "hashtextextended('groundwork.install', 0)";

/** Runs the statements in one transaction under the platform's install lock. They take no bindings: `?` is literal. */
export async function installUnderLock(database: Knex, statements: readonly string[]): Promise<void> {
  await database.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${PLATFORM_INSTALL_LOCK})`);
    for (const statement of statements) await trx.raw(statement.replaceAll('?', '\\?'));
  });
}

/**
 * A read of a table that is made on first use: before then it does not exist (42P01), which means "nothing yet",
 * not a 500.
 */
export async function beforeInstall<T>(query: PromiseLike<T>, none: T): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return none;
    throw error;
  }
}

// The medium tier's harness: a throwaway database per test file, with the platform's SQL installed the way the jobs
// runtime installs it at boot (installDatabaseObjects), and pg-boss's schema when a test needs it, but no Directus.
// Any SQL piece (the events dispatcher, workflow triggers, the notifications fan-out) is then tested directly on a
// real PostgreSQL: create the database, install what the piece needs, call it.
// Server: TEST_DATABASE_URL / PG* (as the integration tier), else an embedded PostgreSQL of the file's own.
import knexFactory, { type Knex } from 'knex';
import { PgBoss } from 'pg-boss';
import { installDatabaseObjects } from '../../../extensions/platform/src/jobs/install.js';
import { BOSS_SCHEMA } from '../../../extensions/platform/src/jobs/core/names.js';
import { createTestDatabase } from '../../../scripts/lib/instance.js';
import { configuredServer, dropDatabase, type PgConnection } from '../../../scripts/lib/postgres.js';
import { startOwnedPostgres, type OwnedPostgres } from '../../integration/harness/owned-postgres.js';

export interface MediumDatabase {
  connection: PgConnection;
  /** A knex on the throwaway database (pool of up to `poolSize`, default 10). */
  knex: Knex;
  /** Another knex on the same database, e.g. a second instance's pool. Closed by drop(). */
  open(poolSize?: number): Knex;
  /** Closes every pool, drops the database, stops the embedded server if this file started one. */
  drop(): Promise<void>;
}

export async function throwawayDatabase(label: string, poolSize = 10): Promise<MediumDatabase> {
  let owned: OwnedPostgres | undefined;
  let server = configuredServer(process.env);
  if (!server) {
    owned = await startOwnedPostgres();
    server = owned.connection;
  }
  const connection = await createTestDatabase(server, `medium_${label}`);
  const pools: Knex[] = [];
  const open = (size = poolSize) => {
    const pool = knexFactory({ client: 'pg', connection: { ...connection }, pool: { min: 0, max: size } });
    pools.push(pool);
    return pool;
  };
  const knex = open();
  return {
    connection,
    knex,
    open,
    async drop() {
      await Promise.all(pools.map((pool) => pool.destroy()));
      await dropDatabase(server, connection.database);
      await owned?.remove();
    },
  };
}

/**
 * The platform's SQL as the runtime installs it at boot: pg-boss's schema first (groundwork_enqueue is typed on its
 * tables), then schema `groundwork`, the outbox and the SQL functions.
 */
export async function installPlatformSql(db: MediumDatabase): Promise<void> {
  const boss = await startPgBoss(db);
  await boss.stop({ graceful: false, close: true });
  await installDatabaseObjects(db.knex);
}

/**
 * pg-boss's schema (and a started pg-boss without a worker, supervision or cron), for pieces that enqueue jobs or
 * read pg-boss's tables. The caller stops it.
 */
export async function startPgBoss(db: MediumDatabase): Promise<PgBoss> {
  const { host, port, user, password, database } = db.connection;
  const boss = new PgBoss({
    host,
    port,
    user,
    password,
    database,
    schema: BOSS_SCHEMA,
    supervise: false,
    schedule: false,
    max: 2,
  });
  boss.on('error', () => undefined);
  await boss.start();
  return boss;
}

/** Polls `read` until `done` holds, or fails after `timeoutMs` with what it last read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  return last;
}

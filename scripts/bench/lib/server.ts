// The setup every bench shares: a PostgreSQL server (BENCH_DATABASE_URL, or an embedded one under .data/ on port
// 5459), the extensions rebuilt when their sources are newer than the build, and throwaway databases that close()
// drops before it stops the server, whatever the bench did in between (unless BENCH_KEEP_DATABASES=1, which keeps
// them and prints their names: to EXPLAIN the bench's statements on its data afterwards).
import { buildStaleExtensions, listExtensions } from '../../lib/extensions.js';
import { createTestDatabase } from '../../lib/instance.js';
import { dropDatabase, toolServer, type PgConnection } from '../../lib/postgres.js';

/**
 * For benches that measure a query path: they read the same URLs over and over, which the response cache would
 * answer from memory after the first read, so they would measure the cache. Off in the baseline too (decision 0081);
 * pinned here so that turning it on there cannot change what these benches measure. `bench:cache` measures it.
 */
export const RESPONSE_CACHE_OFF = { CACHE_ENABLED: 'false' } as const;

export interface BenchServer {
  server: PgConnection;
  /** A new empty database, dropped by close() unless dropped before. */
  database(label: string): Promise<PgConnection>;
  drop(db: PgConnection): Promise<void>;
  close(): Promise<void>;
}

export async function benchServer(
  scope: string,
  options: {
    extensions?: string[] | false;
    /** A server the bench started itself (stopped by close()), instead of BENCH_DATABASE_URL or the shared one. */
    own?: { server: PgConnection; stop(): Promise<void> };
  } = {},
): Promise<BenchServer> {
  const { server, stop } =
    options.own ??
    (await toolServer({
      url: process.env.BENCH_DATABASE_URL,
      dataDirName: 'bench-postgres',
      port: 5459,
      scope,
    }));
  if (options.extensions !== false) await buildStaleExtensions(scope, options.extensions ?? listExtensions());
  const created = new Set<string>();
  const drop = async (db: PgConnection) => {
    created.delete(db.database);
    await dropDatabase(server, db.database);
  };
  return {
    server,
    async database(label) {
      const db = await createTestDatabase(server, label);
      created.add(db.database);
      return db;
    },
    drop,
    async close() {
      if (process.env.BENCH_KEEP_DATABASES === '1') {
        for (const name of created) console.log(`[${scope}] kept database ${name} (BENCH_KEEP_DATABASES=1)`);
      } else for (const name of [...created]) await drop({ ...server, database: name });
      await stop();
    },
  };
}

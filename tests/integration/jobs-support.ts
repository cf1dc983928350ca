// Helpers for the jobs tests: a Directus with the test-only probe extension (tests/extensions/groundwork-probe: a
// diagnostic queue and an admin-only enqueue route), and reads of the probe's tables.
import pg from 'pg';
import { expect } from '@jest/globals';
import type { PgConnection } from '../../scripts/lib/postgres.js';
import { getJson } from './http.js';

/** Load the probe extension besides the shipped ones (startInstance's testExtensions). */
export const PROBE_EXTENSIONS = ['groundwork-probe'];

/** Fast expiry and supervision, so crash recovery and cron are quick to observe. */
export const PROBE_ENV = {
  JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
  JOBS_CRON_INTERVAL_SECONDS: '1',
  JOBS_POLLING_INTERVAL_SECONDS: '0.5',
  JOBS_SHUTDOWN_TIMEOUT_MS: '3000',
};

export interface ProbeJob {
  key: string;
  failTimes?: number;
  sleepMs?: number;
  bench?: boolean;
}

export async function probe(
  baseUrl: string,
  token: string,
  body: {
    jobs?: ProbeJob[];
    events?: Array<{ type: string; item: string }>;
    singletonKey?: string;
    rollback?: boolean;
  },
) {
  const response = await getJson(`${baseUrl}/groundwork-probe/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.body.data as { ids: Array<string | null>; events: string[]; committed: boolean };
}

/** One pooled client per test file. */
export function database(connection: PgConnection) {
  const pool = new pg.Pool({ ...connection, max: 3 });
  return {
    async query<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = []) {
      return (await pool.query<T>(text, values)).rows;
    },
    async transaction(use: (client: pg.PoolClient) => Promise<void>, commit: boolean) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await use(client);
        await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  };
}

export type TestDatabase = ReturnType<typeof database>;

/** Polls `read` until `done` says so, or fails with the last value after timeoutMs. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${what}: not done within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const effects = (db: TestDatabase, keys: string[]) =>
  db.query<{ key: string }>('SELECT key FROM groundwork.probe_effect WHERE key = ANY($1)', [keys]);

export const jobStates = (db: TestDatabase, ids: string[]) =>
  db.query<{ id: string; state: string }>('SELECT id, state FROM pgboss.job WHERE id = ANY($1::uuid[])', [ids]);

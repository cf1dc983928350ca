// What global setup shares with test files: the main Directus instance and the database server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PgConnection } from '../../../scripts/lib/postgres.js';
import { testRunsDir } from '../../../scripts/lib/instance.js';

export interface HarnessContext {
  baseUrl: string;
  logFile: string;
  /** The server that holds the throwaway databases. */
  server: PgConnection;
  /** The main instance's database (bootstrapped, with the test admin). */
  db: PgConnection;
  admin: { email: string; password: string };
}

/** Printed by stack.ts when the context file is written (global-setup.mjs has its own copy: plain JS). */
export const READY_MARKER = 'GROUNDWORK_TEST_STACK_READY';

export const contextFile = path.join(testRunsDir, 'context.json');

export function harness(): HarnessContext {
  return JSON.parse(readFileSync(contextFile, 'utf8')) as HarnessContext;
}

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
  /** The retired switches as the main instance's environment had them (retired-switches.test.ts checks them). */
  retiredSwitches: Record<string, string | undefined>;
}

/**
 * Variables that once turned workflow enforcement off or added a test-only queue and route (decision 0024). The main
 * instance runs with every one set, so the whole suite shows they change nothing; retired-switches.test.ts says so
 * directly.
 */
export const RETIRED_SWITCHES: Record<string, string> = {
  GROUNDWORK_WORKFLOWS_ENFORCE: 'false',
  GROUNDWORK_JOBS_TEST_PROBE: 'true',
  GROUNDWORK_JOBS_TEST_PROBE_CRON: '* * * * *',
};

/** Printed by stack.ts when the context file is written (global-setup.mjs has its own copy: plain JS). */
export const READY_MARKER = 'GROUNDWORK_TEST_STACK_READY';

export const contextFile = path.join(testRunsDir, 'context.json');

export function harness(): HarnessContext {
  return JSON.parse(readFileSync(contextFile, 'utf8')) as HarnessContext;
}

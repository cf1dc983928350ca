// What global setup shares with test files: the main Directus instance(s), the database server and the template.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PgConnection } from '../../../scripts/lib/postgres.js';
import { createTestDatabase, testRunsDir } from '../../../scripts/lib/instance.js';

export interface HarnessContext {
  baseUrl: string;
  logFile: string;
  /** The server that holds the throwaway databases. */
  server: PgConnection;
  /** The main instance's database (bootstrapped, with the test admin). */
  db: PgConnection;
  /**
   * A database migrated through every snapshot version (with the test admin) that nothing connects to: tests that
   * need a fresh migrated database of their own get a copy (migratedTestDatabase), not a migrate from empty.
   */
  template: string;
  /** The same for the fixture domain's line (tests/fixtures/domain): what harness/fixture.ts starts instances on. */
  fixtureTemplate: string;
  admin: { email: string; password: string };
  /** The retired switches as the main instance's environment had them (retired-switches.test.ts checks them). */
  retiredSwitches: Record<string, string | undefined>;
}

/** One main instance; stack.ts starts one per Jest worker. */
export type MainInstance = Pick<HarnessContext, 'baseUrl' | 'logFile' | 'db' | 'retiredSwitches'>;

/** What stack.ts writes to the context file. */
export interface StackContext extends Pick<HarnessContext, 'server' | 'template' | 'fixtureTemplate' | 'admin'> {
  mains: MainInstance[];
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

/** The main instance's METRICS_TOKEN (a test value, not a secret): the service desk's metrics test scrapes with it. */
export const MAIN_METRICS_TOKEN = 'main-test-instance-metrics-token-0123456789';

/** Printed by stack.ts when the context file is written (global-setup.mjs has its own copy: plain JS). */
export const READY_MARKER = 'GROUNDWORK_TEST_STACK_READY';

export const contextFile = path.join(testRunsDir, 'context.json');

/** The storage root every main instance shares (stack.ts; files are named by UUID), whichever worker's main it is. */
export const MAIN_STORAGE_ROOT = path.join(testRunsDir, 'main', 'uploads');

/**
 * The stack, with the main instance of this Jest worker: files that run side by side (one per worker) never share a
 * main instance. JEST_WORKER_ID counts from 1, also when Jest runs in band.
 */
export function harness(): HarnessContext {
  const { mains, ...shared } = JSON.parse(readFileSync(contextFile, 'utf8')) as StackContext;
  const worker = Math.max(1, Number(process.env.JEST_WORKER_ID) || 1);
  return { ...shared, ...mains[(worker - 1) % mains.length]! };
}

/** A fresh database of this test file's own, already migrated: a copy of the stack's template. */
export function migratedTestDatabase(label: string): Promise<PgConnection> {
  const { server, template } = harness();
  return createTestDatabase(server, label, { template });
}

/** A fresh database of this test file's own, migrated through the fixture domain's line: a copy of its template. */
export function fixtureTestDatabase(label: string): Promise<PgConnection> {
  const { server, fixtureTemplate } = harness();
  return createTestDatabase(server, label, { template: fixtureTemplate });
}

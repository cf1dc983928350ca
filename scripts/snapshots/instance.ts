// A Directus on a throwaway database, installed and migrated through the snapshot versions before it starts (one
// `npm run migrate` process does both): the test stack, `npm run sdk` and the domain authoring script need one.
import type { PgConnection } from '../lib/postgres.js';
import { startInstance, TEST_ADMIN, type DirectusInstance, type StartOptions } from '../lib/instance.js';
import { BOOTSTRAP_KEYS } from './directus-api.js';
import { migrate, type MigrateResult } from './migrator.js';
import { snapshotsDir } from './store.js';

interface MigrateDatabaseOptions {
  /** The instance's env: its ADMIN_* / PROJECT_* keys, if any, are the first admin's and the project's. */
  env?: Record<string, string>;
  /** The domain's line (default snapshots/). */
  dir?: string;
  /** The platform's line, when not the default (extensions/platform/snapshots/). */
  platformDir?: string;
  log?: (message: string) => void;
}

/**
 * `npm run migrate` on `db` with the settings startMigratedInstance gives it, without starting Directus: the test
 * stack migrates its template database this way, and instances on copies of it find nothing to do.
 */
export function migrateDatabase(db: PgConnection, options: MigrateDatabaseOptions = {}): Promise<MigrateResult> {
  // The first admin as instanceEnv gives it to the instance, unless the caller's env says otherwise.
  const admin: Record<string, string | undefined> = {
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ...options.env,
  };
  return migrate({
    connection: db,
    dir: options.dir ?? snapshotsDir(),
    platformDir: options.platformDir,
    settings: Object.fromEntries(BOOTSTRAP_KEYS.map((key) => [key, admin[key]])),
    log: options.log ?? (() => undefined),
  });
}

export function startMigratedInstance(
  options: Omit<StartOptions, 'bootstrap' | 'afterBootstrap'> & MigrateDatabaseOptions,
): Promise<DirectusInstance> {
  const { dir, platformDir, log, ...rest } = options;
  return startInstance({
    ...rest,
    bootstrap: false,
    afterBootstrap: async () => {
      await migrateDatabase(options.db, { env: options.env, dir, platformDir, log });
    },
  });
}

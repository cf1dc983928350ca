// A Directus on a throwaway database, installed and migrated through the snapshot versions before it starts (one
// `npm run migrate` process does both): the test stack, `npm run sdk` and the domain authoring script need one.
import { startInstance, TEST_ADMIN, type DirectusInstance, type StartOptions } from '../lib/instance.js';
import { BOOTSTRAP_KEYS } from './directus-api.js';
import { migrate } from './migrator.js';
import { snapshotsDir } from './store.js';

export function startMigratedInstance(
  options: Omit<StartOptions, 'bootstrap' | 'afterBootstrap'> & {
    dir?: string;
    platformDir?: string;
    log?: (message: string) => void;
  },
): Promise<DirectusInstance> {
  const { dir, platformDir, log, ...rest } = options;
  // The first admin as instanceEnv gives it to the instance, unless the caller's env says otherwise.
  const admin: Record<string, string | undefined> = {
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ...options.env,
  };
  return startInstance({
    ...rest,
    bootstrap: false,
    afterBootstrap: async () => {
      await migrate({
        connection: options.db,
        dir: dir ?? snapshotsDir(),
        platformDir,
        settings: Object.fromEntries(BOOTSTRAP_KEYS.map((key) => [key, admin[key]])),
        log: log ?? (() => undefined),
      });
    },
  });
}

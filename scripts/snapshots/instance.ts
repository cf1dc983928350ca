// A Directus on a throwaway database, bootstrapped and migrated through the snapshot versions before it starts:
// the test stack, `npm run sdk` and the domain authoring script all need one.
import { startInstance, type DirectusInstance, type StartOptions } from '../lib/instance.js';
import { migrate } from './migrator.js';
import { snapshotsDir } from './store.js';

export function startMigratedInstance(
  options: Omit<StartOptions, 'bootstrap' | 'afterBootstrap'> & { dir?: string; log?: (message: string) => void },
): Promise<DirectusInstance> {
  const { dir, log, ...rest } = options;
  return startInstance({
    ...rest,
    bootstrap: true,
    afterBootstrap: async () => {
      await migrate({ connection: options.db, dir: dir ?? snapshotsDir(), log: log ?? (() => undefined) });
    },
  });
}

// A bad configuration value stops Directus at boot with a message that names the variable.
import { describe, expect, it } from '@jest/globals';
import { harness } from './harness/context.js';
import { exitWithin, startInstance } from '../../scripts/lib/instance.js';

describe('boot-time configuration check', () => {
  it.each([
    ['GROUNDWORK_HEALTH_TIMEOUT_MS', 'soon', 'must be a whole number between 50 and 30000'],
    ['REDIS', 'localhost:6379', 'must be a redis:// or rediss:// URL'],
  ])('refuses to start with %s=%s', async (name, value, rule) => {
    const instance = await startInstance({
      db: harness().db,
      name: `boot-${name.toLowerCase()}`,
      env: { [name]: value },
      waitReady: false,
    });
    try {
      const code = await exitWithin(instance, 60_000);
      expect(code).toBe(1);
      const output = instance.output().join('\n');
      expect(output).toContain(`Invalid configuration: ${name} ${rule}`);
      // The server never listened.
      expect(output).not.toContain('Server started');
    } finally {
      await instance.stop();
    }
  });
});

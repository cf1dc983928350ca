// A bad configuration value stops Directus at boot with a message that names the variable.
import { describe, expect, it } from '@jest/globals';
import { harness } from './harness/context.js';
import { exitWithin, startInstance } from '../../scripts/lib/instance.js';

// One boot for several bad values: the check reports every problem in one message, and each boot that fails costs
// a Directus load (seconds of CPU).
describe('boot-time configuration check', () => {
  it('refuses to start, naming each bad variable and its rule', async () => {
    const bad = [
      ['GROUNDWORK_HEALTH_TIMEOUT_MS', 'soon', 'must be a whole number between 50 and 30000'],
      ['REDIS', 'localhost:6379', 'must be a redis:// or rediss:// URL'],
      // Decision 0024: with false, Directus would serve without an extension that fails to load.
      ['EXTENSIONS_MUST_LOAD', 'false', 'must be true'],
    ] as const;
    const instance = await startInstance({
      db: harness().db,
      name: 'boot-bad-env',
      env: Object.fromEntries(bad.map(([name, value]) => [name, value])),
      waitReady: false,
    });
    try {
      // The check runs once Directus has loaded, over a minute on a loaded 2-core machine (files-production's too).
      const code = await exitWithin(instance, 180_000);
      expect(code).toBe(1);
      const output = instance.output().join('\n');
      expect(output).toContain('Invalid configuration: ');
      for (const [name, , rule] of bad) expect(output).toContain(`${name} ${rule}`);
      // The server never listened.
      expect(output).not.toContain('Server started');
    } finally {
      await instance.stop();
    }
  });
});

// Issue 10, finding 8: the unsafe websocket settings of Directus 11 stop the boot, and GraphQL subscriptions are
// off when websockets are turned on.
describe('boot-time websocket check', () => {
  it.each([
    [
      'WEBSOCKETS_REST_AUTH=public',
      { WEBSOCKETS_ENABLED: 'true', WEBSOCKETS_REST_AUTH: 'public' },
      'WEBSOCKETS_REST_AUTH must be handshake or strict',
    ],
    [
      'WEBSOCKETS_ENABLED=true with WEBSOCKETS_GRAPHQL_ENABLED unset',
      { WEBSOCKETS_ENABLED: 'true', WEBSOCKETS_GRAPHQL_ENABLED: '' },
      'WEBSOCKETS_GRAPHQL_ENABLED must be false when WEBSOCKETS_ENABLED is true',
    ],
    [
      'WEBSOCKETS_ENABLED=true with WEBSOCKETS_GRAPHQL_ENABLED=true',
      { WEBSOCKETS_ENABLED: 'true', WEBSOCKETS_GRAPHQL_ENABLED: 'true' },
      'WEBSOCKETS_GRAPHQL_ENABLED must be false when WEBSOCKETS_ENABLED is true',
    ],
  ])('refuses to start with %s', async (label, env, rule) => {
    const instance = await startInstance({
      db: harness().db,
      name: `boot-ws-${label.length}`,
      env,
      waitReady: false,
    });
    try {
      // The check runs once Directus has loaded, over a minute on a loaded 2-core machine (files-production's too).
      const code = await exitWithin(instance, 180_000);
      expect(code).toBe(1);
      const output = instance.output().join('\n');
      expect(output).toContain(`Invalid configuration: ${rule}`);
      expect(output).not.toContain('Server started');
    } finally {
      await instance.stop();
    }
  });

  it('with WEBSOCKETS_ENABLED=true and the shipped defaults, refuses GraphQL subscriptions and serves REST ones', async () => {
    // The shipped defaults (.env.example) are in every test instance's env; only websockets are turned on here.
    const instance = await startInstance({
      db: harness().db,
      name: 'boot-ws-default',
      env: { WEBSOCKETS_ENABLED: 'true' },
    });
    try {
      const base = instance.baseUrl.replace(/^http/, 'ws');
      const graphql = await connect(`${base}/graphql`, 'graphql-transport-ws');
      expect(graphql).toBe('refused');
      const rest = await connect(`${base}/websocket`);
      expect(rest).toBe('open');
    } finally {
      await instance.stop();
    }
  });
});

function connect(url: string, protocol?: string): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const socket = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
    const timer = setTimeout(() => {
      socket.close();
      resolve('refused');
    }, 10_000);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      socket.close();
      resolve('open');
    });
    socket.addEventListener('error', () => {
      clearTimeout(timer);
      resolve('refused');
    });
  });
}

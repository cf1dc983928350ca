import { describe, expect, it } from '@jest/globals';
import { checkEnv, describeEnvProblems, redisTarget } from './env.js';

describe('checkEnv', () => {
  it('applies defaults when nothing is set', () => {
    const result = checkEnv({});
    expect(result).toEqual({
      ok: true,
      env: expect.objectContaining({
        PORT: 8055,
        GROUNDWORK_HEALTH_TIMEOUT_MS: 2000,
        LOG_LEVEL: 'info',
        EXTENSIONS_MUST_LOAD: true,
      }),
    });
  });

  it('accepts raw strings (process env) and Directus-cast values alike', () => {
    const fromStrings = checkEnv({ PORT: '9000', JOBS_WORKER: 'false', GROUNDWORK_HEALTH_TIMEOUT_MS: '500' });
    const fromCast = checkEnv({ PORT: 9000, JOBS_WORKER: false, GROUNDWORK_HEALTH_TIMEOUT_MS: 500 });
    expect(fromStrings).toEqual(fromCast);
    expect(fromStrings.ok && fromStrings.env.PORT).toBe(9000);
  });

  it('treats an empty variable as unset', () => {
    expect(checkEnv({ REDIS: '', PORT: '' })).toMatchObject({ ok: true, env: { PORT: 8055 } });
  });

  describe('redisTarget', () => {
    const target = (raw: Record<string, unknown>) => {
      const result = checkEnv(raw);
      if (!result.ok) throw new Error(result.problems.join('; '));
      return redisTarget(result.env);
    };

    it('is none without Redis variables, and with REDIS_ENABLED=false whatever else is set', () => {
      expect(target({})).toBeNull();
      expect(target({ REDIS: 'redis://cache:6379', REDIS_ENABLED: 'false' })).toBeNull();
    });

    it('prefers the REDIS URL, as Directus does', () => {
      expect(target({ REDIS: 'redis://cache:6379', REDIS_HOST: 'other' })).toEqual({ url: 'redis://cache:6379' });
    });

    it('reads the split form, with Directus cast values too', () => {
      expect(
        target({ REDIS_HOST: 'cache', REDIS_PORT: '6380', REDIS_PASSWORD: 12345, REDIS_MAX_RETRIES_PER_REQUEST: '1' }),
      ).toEqual({ options: { host: 'cache', port: 6380, password: '12345' } });
      expect(target({ REDIS_PORT: 6390 })).toEqual({ options: { port: 6390 } });
    });

    it('rejects a split form it could not reach', () => {
      expect(checkEnv({ REDIS_HOST: 'cache', REDIS_PORT: 'six' })).toMatchObject({ ok: false });
      expect(checkEnv({ REDIS_MAX_RETRIES_PER_REQUEST: '-1' })).toMatchObject({ ok: false });
    });
  });

  it.each([
    ['GROUNDWORK_HEALTH_TIMEOUT_MS', 'abc', 'whole number between 50 and 30000'],
    ['GROUNDWORK_HEALTH_TIMEOUT_MS', '10', 'whole number between 50 and 30000'],
    ['GROUNDWORK_HEALTH_TIMEOUT_MS', '1.5', 'whole number'],
    ['PORT', '70000', 'whole number between 1 and 65535'],
    ['REDIS', 'localhost:6379', 'redis:// or rediss:// URL'],
    ['LOG_LEVEL', 'loud', 'must be one of'],
    ['EXTENSIONS_MUST_LOAD', 'yes', 'true or false'],
    ['EXTENSIONS_MUST_LOAD', 'false', 'must be true'],
    ['SECRET', 'short', 'at least 32 characters'],
    ['DB_CLIENT', 'sqlite3', 'PostgreSQL only'],
  ])('rejects %s=%s and names the variable', (name, value, rule) => {
    const result = checkEnv({ [name]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(name);
    expect(result.problems[0]).toContain(rule);
  });

  it('never echoes a value, which may be a secret', () => {
    const result = checkEnv({ SECRET: 'hunter2-is-my-password' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(describeEnvProblems(result.problems)).not.toContain('hunter2');
  });

  it('reports every bad variable at once', () => {
    const result = checkEnv({ PORT: 'x', LOG_LEVEL: 'y' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('refuses EXTENSIONS_MUST_LOAD=false also as Directus casts it (its own default)', () => {
    expect(checkEnv({ EXTENSIONS_MUST_LOAD: false })).toEqual({
      ok: false,
      problems: [expect.stringContaining('EXTENSIONS_MUST_LOAD must be true')],
    });
  });

  it('reads nothing from the retired switches: no variable turns a rule off or adds a test route (decision 0024)', () => {
    const retired = {
      GROUNDWORK_WORKFLOWS_ENFORCE: 'false',
      GROUNDWORK_JOBS_TEST_PROBE: 'true',
      GROUNDWORK_JOBS_TEST_PROBE_CRON: '* * * * *',
    };
    const result = checkEnv(retired);
    expect(result).toEqual(checkEnv({}));
    expect(result.ok && Object.keys(result.env)).toEqual(expect.not.arrayContaining(Object.keys(retired)));
  });

  it('reads the jobs settings: worker on by default, a bounded concurrency', () => {
    const defaults = checkEnv({});
    expect(defaults.ok && defaults.env).toEqual(
      expect.objectContaining({
        JOBS_WORKER: true,
        JOBS_CONCURRENCY: 4,
        JOBS_LISTEN_NOTIFY: true,
        JOBS_POLLING_INTERVAL_SECONDS: 2,
      }),
    );
    const off = checkEnv({ JOBS_WORKER: 'false', JOBS_CONCURRENCY: '16', JOBS_POLLING_INTERVAL_SECONDS: '0.5' });
    expect(off.ok && off.env).toEqual(
      expect.objectContaining({ JOBS_WORKER: false, JOBS_CONCURRENCY: 16, JOBS_POLLING_INTERVAL_SECONDS: 0.5 }),
    );
    const bad = checkEnv({ JOBS_WORKER: 'sometimes', JOBS_CONCURRENCY: '0', JOBS_POLLING_INTERVAL_SECONDS: '0.1' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'JOBS_CONCURRENCY',
      'JOBS_POLLING_INTERVAL_SECONDS',
      'JOBS_WORKER',
    ]);
  });

  it('checks the notification settings: retries, lease and the digest cron', () => {
    const defaults = checkEnv({});
    expect(defaults.ok && defaults.env.GROUNDWORK_NOTIFICATIONS_DIGEST_CRON).toBe('0 7 * * *');
    expect(
      checkEnv({ GROUNDWORK_NOTIFICATIONS_DIGEST_CRON: '*/5 * * * * *', GROUNDWORK_NOTIFICATIONS_RETRY_LIMIT: '0' }).ok,
    ).toBe(true);
    const bad = checkEnv({
      GROUNDWORK_NOTIFICATIONS_DIGEST_CRON: 'daily',
      GROUNDWORK_NOTIFICATIONS_LEASE_SECONDS: '1',
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'GROUNDWORK_NOTIFICATIONS_DIGEST_CRON',
      'GROUNDWORK_NOTIFICATIONS_LEASE_SECONDS',
    ]);
  });
});

describe('checkEnv: websockets (issue 10, finding 8)', () => {
  it('refuses WEBSOCKETS_REST_AUTH=public and names the advisory', () => {
    const result = checkEnv({ WEBSOCKETS_REST_AUTH: 'public' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([expect.stringContaining('WEBSOCKETS_REST_AUTH must be handshake or strict')]);
    expect(result.problems[0]).toContain('GHSA-97xr-jchp-xm3c');
  });

  it.each([['handshake'], ['strict']])('accepts WEBSOCKETS_REST_AUTH=%s', (mode) => {
    expect(
      checkEnv({ WEBSOCKETS_ENABLED: 'true', WEBSOCKETS_GRAPHQL_ENABLED: 'false', WEBSOCKETS_REST_AUTH: mode }),
    ).toMatchObject({ ok: true, env: { WEBSOCKETS_REST_AUTH: mode } });
  });

  it.each([
    ['unset (Directus turns subscriptions on)', {}],
    ['true', { WEBSOCKETS_GRAPHQL_ENABLED: 'true' }],
    ['true, as Directus casts it', { WEBSOCKETS_GRAPHQL_ENABLED: true }],
  ])('refuses websockets with GraphQL subscriptions %s', (_label, graphql) => {
    for (const enabled of ['true', true]) {
      const result = checkEnv({ WEBSOCKETS_ENABLED: enabled, ...graphql });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problems).toEqual([
        expect.stringContaining('WEBSOCKETS_GRAPHQL_ENABLED must be false when WEBSOCKETS_ENABLED is true'),
      ]);
    }
  });

  it('accepts websockets with GraphQL subscriptions off, and anything while websockets are off', () => {
    expect(checkEnv({ WEBSOCKETS_ENABLED: 'true', WEBSOCKETS_GRAPHQL_ENABLED: 'false' }).ok).toBe(true);
    expect(checkEnv({ WEBSOCKETS_ENABLED: true, WEBSOCKETS_GRAPHQL_ENABLED: false }).ok).toBe(true);
    // Directus's parsed env when websockets are off: its defaults, subscriptions "on" but never served.
    expect(checkEnv({ WEBSOCKETS_ENABLED: false, WEBSOCKETS_GRAPHQL_ENABLED: true }).ok).toBe(true);
    expect(checkEnv({}).ok).toBe(true);
  });
});

describe('checkEnv: GROUNDWORK_CROSS_ORIGIN_RESOURCE_POLICY', () => {
  it('defaults to same-site and refuses other values', () => {
    expect(checkEnv({})).toMatchObject({ ok: true, env: { GROUNDWORK_CROSS_ORIGIN_RESOURCE_POLICY: 'same-site' } });
    expect(checkEnv({ GROUNDWORK_CROSS_ORIGIN_RESOURCE_POLICY: 'anyone' }).ok).toBe(false);
  });
});

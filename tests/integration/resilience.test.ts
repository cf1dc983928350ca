// Resilience under load (issue 14 item 6): a PostgreSQL restart and a Redis outage while a few concurrent loops
// read and write. Each scenario boots one instance of its own; the figures it measures are printed (and recorded in
// docs/operations.md "Resilience"), and the only timed assertion is the error window after PostgreSQL is back.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/lib/free-port.js';
import { adminToken, startInstance, type DirectusInstance } from '../../scripts/lib/instance.js';
import { ensureDatabase } from '../../scripts/lib/postgres.js';
import { hasExited, stopProcess } from '../../scripts/lib/processes.js';
import { harness } from './harness/context.js';
import { startLoad, outageFigures, type Load } from './harness/load.js';
import { startOwnedPostgres, type OwnedPostgres } from './harness/owned-postgres.js';
import { getJson } from './http.js';
import { hasRedisServer, startRedis } from './harness/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the status is the expected one (no answer counts as "not yet"); returns it, or the last one seen. */
async function pollStatus(url: string, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await getJson(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if ((last && last.status === expected) || Date.now() > deadline) return last;
    await sleep(100);
  }
}

/** The instance's last log lines, without the bundled source a crash prints (one line of hundreds of kB). */
function lastLines(instance: DirectusInstance, count = 30) {
  return instance
    .output()
    .map((line) => (line.length > 1000 ? `${line.slice(0, 300)} [... ${line.length} chars]` : line))
    .slice(-count)
    .join('\n');
}

function report(scenario: string, figures: object) {
  // One JSON line per scenario, for docs/operations.md "Resilience".
  console.log(JSON.stringify({ resilience: scenario, ...figures }));
}

describe('PostgreSQL restarts under load', () => {
  let postgres: OwnedPostgres;
  let instance: DirectusInstance;
  let load: Load | undefined;

  beforeAll(async () => {
    postgres = await startOwnedPostgres();
    await ensureDatabase(postgres.connection, 'directus');
    instance = await startInstance({
      db: { ...postgres.connection, database: 'directus' },
      name: 'resilience-postgres',
      bootstrap: true,
    });
  });

  afterAll(async () => {
    await load?.stop();
    await instance?.stop();
    await postgres?.remove();
  });

  it('answers 503 on readiness while down, serves again within 2 s of the database being back, never crashes', async () => {
    const ready = `${instance.baseUrl}/groundwork/v1/health/ready`;
    const live = `${instance.baseUrl}/groundwork/v1/health/live`;
    load = startLoad({ baseUrl: instance.baseUrl, token: await adminToken(instance.baseUrl) });
    await sleep(2_000);

    const downAt = Date.now();
    await postgres.stop();
    expect((await pollStatus(ready, 503, 10_000))?.status).toBe(503);
    // Let the load run into the outage for a while: every loop meets the dead connections and the refused new ones.
    await sleep(3_000);
    expect((await getJson(live)).status).toBe(200);

    await postgres.start(); // resolves once the server accepts connections
    const backAt = Date.now();
    expect((await pollStatus(ready, 200, 20_000))?.status).toBe(200);
    const readyMs = Date.now() - backAt;
    await sleep(3_000);
    await load.stop();

    const figures = outageFigures(load.results, downAt, backAt);
    report('postgres-restart', { ...figures, leaks: figures.leaks.length, readyMs });
    expect(hasExited(instance.process)).toBe(false);
    expect((await getJson(live)).status).toBe(200);
    // Failures during the outage are Directus's error envelope (or no answer), never a stack trace or a bare 500 page.
    expect(figures.leaks.map((leak) => `${leak.status} ${leak.text.slice(0, 300)}`)).toEqual([]);
    expect(figures.failed).toBeGreaterThan(0); // the outage was real
    expect(figures.firstWriteMs).not.toBeNull();
    expect(figures.errorWindowMs).toBeLessThanOrEqual(2_000);
  });
});

(hasRedisServer ? describe : describe.skip)('Redis stops under load', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let instance: DirectusInstance;
  let load: Load | undefined;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    instance = await startInstance({
      db: harness().db,
      name: 'resilience-redis',
      // As .env.example recommends for more than one instance (decision 0034): Redis in the split form, through which
      // Directus passes REDIS_MAX_RETRIES_PER_REQUEST to ioredis, so commands fail fast instead of waiting ~10 s;
      // the rate limiter in memory keeps Redis off the path of every request.
      env: {
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redisPort),
        REDIS_MAX_RETRIES_PER_REQUEST: '1',
        CACHE_ENABLED: 'true',
        CACHE_STORE: 'redis',
        CACHE_AUTO_PURGE: 'true',
        RATE_LIMITER_ENABLED: 'true',
        RATE_LIMITER_STORE: 'memory',
        RATE_LIMITER_POINTS: '100000',
        RATE_LIMITER_DURATION: '1',
        SYNCHRONIZATION_STORE: 'redis',
      },
    });
  });

  afterAll(async () => {
    await load?.stop();
    await instance?.stop();
    if (redis) await stopProcess(redis);
  });

  it('keeps serving reads and writes while Redis is down, and recovers when it is back', async () => {
    const ready = `${instance.baseUrl}/groundwork/v1/health/ready`;
    const live = `${instance.baseUrl}/groundwork/v1/health/live`;
    // A long client timeout: a request that hangs on Redis shows how long it hangs, rather than a client abort.
    load = startLoad({
      baseUrl: instance.baseUrl,
      token: await adminToken(instance.baseUrl),
      requestTimeoutMs: 30_000,
    });
    await sleep(2_000);

    const downAt = Date.now();
    await stopProcess(redis);
    expect((await pollStatus(ready, 503, 10_000))?.status).toBe(503);
    await sleep(15_000);
    if (hasExited(instance.process)) {
      await sleep(1_000); // the rest of its output, still in the pipe
      throw new Error(`Directus exited while Redis was down:\n${lastLines(instance, 8)}`);
    }
    expect((await getJson(live)).status).toBe(200);

    redis = await startRedis(redisPort);
    const backAt = Date.now();
    expect((await pollStatus(ready, 200, 20_000))?.status).toBe(200);
    const readyMs = Date.now() - backAt;
    await sleep(3_000);
    await load.stop();

    const figures = outageFigures(load.results, downAt, backAt);
    report('redis-stop', { ...figures, leaks: figures.leaks.length, readyMs });
    expect(hasExited(instance.process)).toBe(false);
    expect(figures.leaks.map((leak) => `${leak.status} ${leak.text.slice(0, 300)}`)).toEqual([]);
    expect(figures.firstWriteMs).not.toBeNull();
    // The configuration's point: reads and writes go on during the outage, and none waits out ioredis's ~10 s.
    expect(figures.servedDuringOutage.reads).toBeGreaterThan(0);
    expect(figures.servedDuringOutage.writes).toBeGreaterThan(0);
    expect(figures.slowestDuringOutageMs).toBeLessThan(9_000);
  });
});

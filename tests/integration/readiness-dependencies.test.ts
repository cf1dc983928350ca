// Readiness with real dependencies going away: a stopped PostgreSQL, and Redis configured but unreachable.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/lib/free-port.js';
import { ensureDatabase } from '../../scripts/lib/postgres.js';
import { harness } from './harness/context.js';
import { stopProcess } from '../../scripts/lib/processes.js';
import { startInstance, type DirectusInstance } from '../../scripts/lib/instance.js';
import { startOwnedPostgres, type OwnedPostgres } from './harness/owned-postgres.js';
import { expectErrorEnvelope, getJson } from './http.js';
import { hasRedisServer, startRedis } from './harness/redis-server.js';

/** Polls until the status is the expected one (connection refusals count as "not yet"), then returns the answer. */
async function pollStatus(url: string, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await getJson(url).catch(() => null);
    if ((last && last.status === expected) || Date.now() > deadline) {
      if (!last) throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('readiness when PostgreSQL stops', () => {
  let postgres: OwnedPostgres;
  let instance: DirectusInstance;

  beforeAll(async () => {
    postgres = await startOwnedPostgres();
    await ensureDatabase(postgres.connection, 'directus');
    instance = await startInstance({
      db: { ...postgres.connection, database: 'directus' },
      name: 'postgres-stops',
      bootstrap: true,
    });
  });

  afterAll(async () => {
    await instance?.stop();
    await postgres?.remove();
  });

  it('answers 503 naming postgres while it is down, stays alive, and recovers when it is back', async () => {
    const ready = `${instance.baseUrl}/groundwork/v1/health/ready`;
    expect((await getJson(ready)).status).toBe(200);

    await postgres.stop();
    const down = await pollStatus(ready, 503, 10_000);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      status: 'unavailable',
      checks: { postgres: { status: 'down', latencyMs: expect.any(Number), reason: expect.any(String) } },
    });
    // No stack traces, hosts or ports in a public body.
    expect(down.text).not.toMatch(/stack|127\.0\.0\.1|node_modules/);
    expect(down.text).not.toContain(`:${postgres.connection.port}`);
    // The failure is in our log with the request's id and the full error, which the public body leaves out.
    const id = `ready-${Date.now()}`;
    expect((await getJson(ready, { headers: { 'x-request-id': id } })).status).toBe(503);
    const loggedLines = () => instance.output().filter((line) => line.includes(id));
    // The log arrives through a pipe; give it a moment after the response.
    for (let attempt = 0; attempt < 20 && loggedLines().length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(loggedLines().map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ capability: 'health', requestId: id, dependency: 'postgres', err: expect.any(Object) }),
    ]);

    // Liveness does not depend on the database: restarting the process would not help.
    expect((await getJson(`${instance.baseUrl}/groundwork/v1/health/live`)).status).toBe(200);

    // Directus's own routes fail with the envelope too, not a stack trace.
    const items = await getJson(`${instance.baseUrl}/items/directus_users`);
    expect(items.status).toBeGreaterThanOrEqual(400);
    expect(items.text).not.toMatch(/node_modules|at .+\.js:\d+/);

    await postgres.start();
    const back = await pollStatus(ready, 200, 20_000);
    expect(back.status).toBe(200);
  });
});

// Directus itself needs a configured Redis at boot (bus, locks, permission cache), so the outage comes after start.
(hasRedisServer ? describe : describe.skip)('readiness when a configured Redis stops', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let instance: DirectusInstance;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    instance = await startInstance({
      db: harness().db,
      name: 'redis-stops',
      env: { REDIS: `redis://127.0.0.1:${redisPort}` },
    });
  });

  afterAll(async () => {
    await instance?.stop();
    if (redis) await stopProcess(redis);
  });

  it('is ready with both dependencies up', async () => {
    const response = await getJson(`${instance.baseUrl}/groundwork/v1/health/ready`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ready',
      checks: {
        postgres: { status: 'up', latencyMs: expect.any(Number) },
        redis: { status: 'up', latencyMs: expect.any(Number) },
      },
    });
  });

  it('accepts ?checks=redis now that Redis is configured, and rejects an empty list', async () => {
    expect((await getJson(`${instance.baseUrl}/groundwork/v1/health/ready?checks=redis`)).status).toBe(200);
    const empty = await getJson(`${instance.baseUrl}/groundwork/v1/health/ready?checks=`);
    expect(empty.status).toBe(400);
    expectErrorEnvelope(empty, 'INVALID_QUERY');
  });

  it('answers 503 naming redis while it is down, still reports postgres alone, and recovers', async () => {
    const ready = `${instance.baseUrl}/groundwork/v1/health/ready`;
    await stopProcess(redis);
    const down = await pollStatus(ready, 503, 10_000);
    expect(down.body).toEqual({
      status: 'unavailable',
      checks: {
        postgres: { status: 'up', latencyMs: expect.any(Number) },
        redis: { status: 'down', latencyMs: expect.any(Number), reason: expect.any(String) },
      },
    });
    expect(down.text).not.toContain(String(redisPort));
    // A load balancer that asks about postgres only still gets 200.
    expect((await getJson(`${ready}?checks=postgres`)).status).toBe(200);

    redis = await startRedis(redisPort);
    expect((await pollStatus(ready, 200, 20_000)).status).toBe(200);
  });
});

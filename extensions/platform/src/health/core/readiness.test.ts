import { describe, expect, it } from '@jest/globals';
import { checkReadiness, publicReason, ProbeTimeout, type Probe } from './readiness.js';

const up = (name: string): Probe => ({ name, check: async () => undefined });
const down = (name: string, error: unknown): Probe => ({
  name,
  check: async () => {
    throw error;
  },
});
const hanging = (name: string): Probe => ({ name, check: () => new Promise<void>(() => undefined) });

describe('checkReadiness', () => {
  it('is ready when every probe answers', async () => {
    const report = await checkReadiness([up('postgres'), up('redis')], { timeoutMs: 100 });
    expect(report.status).toBe('ready');
    expect(report.checks).toEqual({
      postgres: { status: 'up', latencyMs: expect.any(Number) },
      redis: { status: 'up', latencyMs: expect.any(Number) },
    });
  });

  it('is unavailable and names the failing dependency', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const report = await checkReadiness([down('postgres', refused), up('redis')], { timeoutMs: 100 });
    expect(report.status).toBe('unavailable');
    expect(report.checks.postgres).toEqual({ status: 'down', latencyMs: expect.any(Number), reason: 'ECONNREFUSED' });
    expect(report.checks.redis?.status).toBe('up');
    // Hosts and driver messages go to the log, not to the public body.
    expect(JSON.stringify(report)).not.toContain('10.0.0.5');
  });

  it('counts a probe that never answers as down after the timeout', async () => {
    const started = Date.now();
    const report = await checkReadiness([hanging('postgres')], { timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.checks.postgres).toMatchObject({ status: 'down', reason: 'no answer within 50 ms' });
  });

  it('counts a probe that throws synchronously as down', async () => {
    const probe: Probe = {
      name: 'redis',
      check: () => {
        throw new Error('boom');
      },
    };
    const report = await checkReadiness([probe], { timeoutMs: 50 });
    expect(report.checks.redis).toMatchObject({ status: 'down', reason: 'check failed' });
  });

  it('reports each failure to the caller for logging', async () => {
    const failures: string[] = [];
    await checkReadiness([down('postgres', new Error('x')), up('redis')], {
      timeoutMs: 50,
      onFailure: (name) => failures.push(name),
    });
    expect(failures).toEqual(['postgres']);
  });

  it('measures latency with the given clock', async () => {
    let tick = 0;
    const report = await checkReadiness([up('postgres')], { timeoutMs: 50, now: () => (tick += 7) });
    expect(report.checks.postgres?.latencyMs).toBe(7);
  });
});

describe('publicReason', () => {
  it('keeps short error codes and the timeout message, hides everything else', () => {
    expect(publicReason(Object.assign(new Error('x'), { code: '57P01' }))).toBe('57P01');
    expect(publicReason(new ProbeTimeout(2000))).toBe('no answer within 2000 ms');
    expect(publicReason(new Error('password authentication failed for user "postgres"'))).toBe('check failed');
    expect(publicReason(Object.assign(new Error('x'), { code: 'not a code; drop table' }))).toBe('check failed');
  });
});

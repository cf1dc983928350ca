import { describe, expect, it } from '@jest/globals';
import { toInputIssues } from '../../shared/issues.js';
import { livenessResponse, readinessQuery, readinessReport, runningVersions } from './contract.js';

// The route turns a failed parse into a 400 listing these issues; this is what a caller reads.
function issuesOf(schema: ReturnType<typeof readinessQuery>, query: unknown) {
  const result = schema.safeParse(query);
  if (result.success) throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
  return toInputIssues(result.error);
}

describe('readinessQuery', () => {
  const query = readinessQuery(['postgres', 'redis']);

  it('runs every configured check when ?checks is absent', () => {
    expect(query.parse({})).toEqual({ checks: undefined });
  });

  it('splits a comma-separated list and trims each name', () => {
    expect(query.parse({ checks: 'postgres' })).toEqual({ checks: ['postgres'] });
    expect(query.parse({ checks: ' redis , postgres' })).toEqual({ checks: ['redis', 'postgres'] });
  });

  it('rejects an unknown check with a message naming the configured ones', () => {
    expect(issuesOf(query, { checks: 'postgres,mysql' })).toEqual([
      { path: 'checks.1', message: 'must name configured checks: postgres, redis' },
    ]);
  });

  it('rejects a check this deployment has not configured (no Redis)', () => {
    const withoutRedis = readinessQuery(['postgres']);
    expect(issuesOf(withoutRedis, { checks: 'redis' })).toEqual([
      { path: 'checks.0', message: 'must name configured checks: postgres' },
    ]);
  });

  it('rejects an empty name (a trailing comma) instead of ignoring it', () => {
    expect(issuesOf(query, { checks: 'postgres,' })).toEqual([
      { path: 'checks.1', message: 'must name configured checks: postgres, redis' },
    ]);
  });

  it('rejects a repeated parameter (?checks=a&checks=b arrives as an array) as bad input', () => {
    const issues = issuesOf(query, { checks: ['postgres', 'redis'] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('checks');
  });
});

describe('response contracts', () => {
  it('liveness is "alive" with a whole, non-negative uptime', () => {
    expect(livenessResponse.parse({ status: 'alive', uptimeSeconds: 12 })).toEqual({
      status: 'alive',
      uptimeSeconds: 12,
    });
    expect(livenessResponse.safeParse({ status: 'alive', uptimeSeconds: -1 }).success).toBe(false);
    expect(livenessResponse.safeParse({ status: 'alive', uptimeSeconds: 1.5 }).success).toBe(false);
    expect(livenessResponse.safeParse({ status: 'dead', uptimeSeconds: 1 }).success).toBe(false);
  });

  it('a readiness report says why a check is down, and an up check carries no reason', () => {
    const report = {
      status: 'unavailable',
      checks: {
        postgres: { status: 'up', latencyMs: 3 },
        redis: { status: 'down', latencyMs: 2001, reason: 'no answer within 2000 ms' },
      },
    };
    expect(readinessReport.parse(report)).toEqual(report);
    // A down check without its reason does not satisfy the documented shape.
    expect(
      readinessReport.safeParse({ status: 'unavailable', checks: { redis: { status: 'down', latencyMs: 1 } } }).success,
    ).toBe(false);
    expect(readinessReport.safeParse({ status: 'degraded', checks: {} }).success).toBe(false);
  });

  it('its documented examples satisfy the schemas (the OpenAPI examples are valid responses)', () => {
    for (const schema of [livenessResponse, readinessReport, runningVersions]) {
      const example = schema.meta()?.example;
      expect(example).toBeDefined();
      expect(schema.safeParse(example).success).toBe(true);
    }
  });

  it('running versions name Groundwork, Directus and Node', () => {
    expect(runningVersions.safeParse({ groundwork: '0.1.0', directus: '11.17.4' }).success).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from './paths.js';
import { readSecurityBaseline, SECURITY_BASELINE_KEYS, securityBaselineFrom } from './security-baseline.js';

describe('security baseline', () => {
  it('picks exactly the baseline variables and ignores the rest', () => {
    const text = [
      '# comment',
      'PORT=8055',
      ...SECURITY_BASELINE_KEYS.map((key, index) => `${key}=value-${index}`),
      'RATE_LIMITER_ENABLED=true',
    ].join('\n');
    const baseline = securityBaselineFrom(text);
    expect(Object.keys(baseline)).toEqual([...SECURITY_BASELINE_KEYS]);
    expect(baseline.HASH_MEMORY_COST).toBe(`value-${SECURITY_BASELINE_KEYS.indexOf('HASH_MEMORY_COST')}`);
  });

  it('names every missing or empty variable', () => {
    expect(() => securityBaselineFrom('HASH_TIME_COST=2\nQUERY_LIMIT_MAX=\n')).toThrow(
      /missing: IMPORT_IP_DENY_LIST, HASH_MEMORY_COST, QUERY_LIMIT_MAX,/,
    );
  });

  it('reads .env.example: the deny list closes loopback, 0.0.0.0 and the IPv6 loopback', () => {
    const baseline = readSecurityBaseline();
    const denied = baseline.IMPORT_IP_DENY_LIST.split(',');
    expect(denied).toEqual(expect.arrayContaining(['0.0.0.0', '0.0.0.0/8', '127.0.0.0/8', '::1']));
    expect(baseline).toEqual(
      expect.objectContaining({
        HASH_MEMORY_COST: '19456',
        HASH_TIME_COST: '2',
        // The response cache off, what keeps its answers current when turned on, and the frozen schema (decision 0081).
        CACHE_ENABLED: 'false',
        CACHE_AUTO_PURGE: 'true',
        CACHE_SCHEMA_FREEZE_ENABLED: 'true',
      }),
    );
  });

  it('matches the values the Dockerfile and docker-compose.yml set', () => {
    const baseline = readSecurityBaseline();
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const valueIn = (text: string, pattern: (key: string) => RegExp, key: string) =>
      pattern(key)
        .exec(text)?.[1]
        ?.replace(/^'(.*)'$/, '$1');
    const docker = (key: string) => new RegExp(`^\\s+${key}=(\\S+)`, 'm');
    const yaml = (key: string) => new RegExp(`^\\s+${key}: (\\S+)`, 'm');
    for (const key of SECURITY_BASELINE_KEYS) {
      expect([key, valueIn(compose, yaml, key)]).toEqual([key, baseline[key]]);
      expect([key, valueIn(dockerfile, docker, key)]).toEqual([key, baseline[key]]);
    }
  });
});

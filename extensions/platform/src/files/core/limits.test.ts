import { describe, expect, it } from '@jest/globals';
import { parseRoleLimits, uploadLimitFor } from './limits.js';

const ROLE = '6f0d3c52-5a7e-4b8e-9a51-0c1f2d3e4a5b';
const OTHER = '2c7a9e14-8b3d-4f60-a1c5-3e9d7b2f6a80';

describe('parseRoleLimits', () => {
  it('reads <role>=<size> pairs', () => {
    expect(parseRoleLimits(` ${ROLE}=5mb, ${OTHER.toUpperCase()} = 512kb `)).toEqual(
      new Map([
        [ROLE, 5 * 1024 * 1024],
        [OTHER, 512 * 1024],
      ]),
    );
    expect(parseRoleLimits(undefined).size).toBe(0);
    expect(parseRoleLimits('').size).toBe(0);
  });

  it.each(['customer=5mb', `${ROLE}`, `${ROLE}=lots`, `${ROLE}=0`, `${ROLE}=1mb=2mb`])('refuses %s', (value) => {
    expect(() => parseRoleLimits(value)).toThrow(/role uuid/);
  });
});

describe('uploadLimitFor', () => {
  const limits = parseRoleLimits(`${ROLE}=1kb`);
  it('lowers the global limit for a listed role, never raises it', () => {
    expect(uploadLimitFor(ROLE, 1024 * 1024, limits)).toBe(1024);
    expect(uploadLimitFor(ROLE, 100, limits)).toBe(100);
    expect(uploadLimitFor(ROLE, null, limits)).toBe(1024);
    expect(uploadLimitFor(OTHER, 1024 * 1024, limits)).toBe(1024 * 1024);
    expect(uploadLimitFor(null, 5, limits)).toBe(5);
  });
});

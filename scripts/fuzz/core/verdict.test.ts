import { describe, expect, it } from '@jest/globals';
import { formatHistogram, progressLine, summaryLine, Tally, violation } from './verdict.js';

const answer = (status: number, body: unknown) => ({
  status,
  contentType: 'application/json',
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const envelope = { errors: [{ message: 'Invalid query.', extensions: { code: 'INVALID_QUERY' } }] };

describe('violation', () => {
  it('accepts 2xx and 3xx of any shape, and a 4xx in the envelope', () => {
    expect(violation(answer(200, 'a,b\n1,2'))).toBeNull();
    expect(violation(answer(302, ''))).toBeNull();
    expect(violation(answer(400, envelope))).toBeNull();
  });

  it('refuses any status ≥ 500 and no answer at all', () => {
    expect(violation(answer(500, envelope))).toBe('status 500');
    expect(violation(answer(503, envelope))).toBe('status 503');
    expect(violation({ error: 'fetch failed: ECONNREFUSED' })).toMatch(/no answer/);
  });

  it('accepts a reset only for a URL over the header limit', () => {
    expect(violation({ error: 'fetch failed: UND_ERR_SOCKET other side closed', oversized: true })).toBeNull();
    expect(violation({ error: 'fetch failed: UND_ERR_SOCKET other side closed' })).toMatch(/no answer/);
  });

  it('refuses a 4xx outside the envelope or with a stack', () => {
    expect(violation(answer(431, ''))).toMatch(/not JSON/);
    expect(violation(answer(400, { error: 'x' }))).toMatch(/errors array/);
    expect(violation(answer(400, { errors: [{ message: 'x' }] }))).toMatch(/extensions.code/);
    expect(violation(answer(400, { errors: [{ message: 'x', extensions: { code: 'X', stack: 'y' } }] }))).toMatch(
      /stack/,
    );
    const frame = { errors: [{ message: 'at parse (/app/node_modules/x/index.js:12:3)', extensions: { code: 'X' } }] };
    expect(violation(answer(400, frame))).toMatch(/stack/);
  });
});

describe('Tally', () => {
  it('counts per role and ends in a summary line', () => {
    const tally = new Tally(0);
    tally.add('agent', 200);
    tally.add('agent', 400);
    tally.add('public', 401);
    expect(tally.atLeast500()).toBe(0);
    expect(summaryLine(tally, 7, 2000)).toBe(
      'fuzz: 3 requests in 2.0 s (1.5 req/s), seed 7, 0 answers ≥ 500; 200:1 400:1 401:1',
    );
  });

  it('counts 5xx and transport errors as failures, and prints progress and one line per role', () => {
    const tally = new Tally(0);
    tally.add('customer', 503);
    tally.add('customer', 'error');
    tally.add('admin', 'reset');
    tally.add('admin', 200);
    expect(tally.atLeast500()).toBe(2);
    expect(tally.perSecond(0)).toBe(0);
    expect(progressLine(tally, 10, 4000)).toBe('4/10 requests, 1 req/s; all roles: 200:1 503:1 error:1 reset:1');
    expect(formatHistogram(tally)).toEqual([
      `  ${'admin'.padEnd(14)} 200:1 reset:1`,
      `  ${'customer'.padEnd(14)} 503:1 error:1`,
    ]);
  });
});

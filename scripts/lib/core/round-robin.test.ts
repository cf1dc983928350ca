import { describe, expect, it } from '@jest/globals';
import {
  createBalancer,
  drainUpstream,
  markFailed,
  markHealthy,
  mayRetry,
  pickUpstream,
  replaceUpstream,
} from './round-robin.js';

describe('round-robin balancer', () => {
  it('refuses an empty list', () => {
    expect(() => createBalancer([])).toThrow(/at least one/);
  });

  it('takes upstreams in turn', () => {
    const balancer = createBalancer(['a', 'b', 'c']);
    expect([0, 1, 2, 3, 4].map(() => pickUpstream(balancer, 0))).toEqual([0, 1, 2, 0, 1]);
  });

  it('skips a resting upstream until its rest ends, and takes it back when healthy', () => {
    const balancer = createBalancer(['a', 'b']);
    markFailed(balancer, 1, 1000, 500);
    expect([0, 1, 2].map(() => pickUpstream(balancer, 1200))).toEqual([0, 0, 0]);
    expect(pickUpstream(balancer, 1500)).toBe(1);
    markFailed(balancer, 0, 2000, 500);
    markHealthy(balancer, 0);
    expect([pickUpstream(balancer, 2100), pickUpstream(balancer, 2100)]).toEqual([0, 1]);
  });

  it('tries the upstream whose rest ends first when all rest', () => {
    const balancer = createBalancer(['a', 'b', 'c']);
    markFailed(balancer, 0, 0, 900);
    markFailed(balancer, 1, 0, 300);
    markFailed(balancer, 2, 0, 600);
    expect(pickUpstream(balancer, 100)).toBe(1);
  });

  it('leaves out the upstreams already tried for a request', () => {
    const balancer = createBalancer(['a', 'b']);
    expect(pickUpstream(balancer, 0, new Set([0]))).toBe(1);
    expect(pickUpstream(balancer, 0, new Set([0, 1]))).toBeUndefined();
  });
});

describe('rolling restart', () => {
  it('never picks a drained upstream, even when the others rest, until it is replaced', () => {
    const balancer = createBalancer(['a', 'b']);
    drainUpstream(balancer, 1);
    expect([pickUpstream(balancer, 0), pickUpstream(balancer, 0), pickUpstream(balancer, 0)]).toEqual([0, 0, 0]);
    markFailed(balancer, 0, 0, 1000);
    expect(pickUpstream(balancer, 10)).toBe(0);
    expect(pickUpstream(balancer, 10, new Set([0]))).toBeUndefined();
    replaceUpstream(balancer, 1, 'b2');
    expect(balancer.upstreams).toEqual(['a', 'b2']);
    expect(pickUpstream(balancer, 10)).toBe(1);
  });
});

describe('mayRetry', () => {
  it('sends any request elsewhere when the connection never opened', () => {
    expect(mayRetry('POST', false)).toBe(true);
  });

  it('repeats only reads once the upstream may have acted', () => {
    expect(['get', 'HEAD', 'OPTIONS'].map((method) => mayRetry(method, true))).toEqual([true, true, true]);
    expect(['POST', 'PATCH', 'DELETE', 'PUT'].map((method) => mayRetry(method, true))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

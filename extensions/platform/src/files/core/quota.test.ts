import { describe, expect, it } from '@jest/globals';
import { createQuotaOwnersRegistry, decideQuota, quotaLimit } from './quota.js';

describe('quotaLimit', () => {
  it("takes the owner's own limit over the default", () => {
    expect(quotaLimit({ key: 'o', quotaBytes: 10 }, 100)).toBe(10);
    expect(quotaLimit({ key: 'o', quotaBytes: 0 }, 100)).toBe(0);
  });
  it('falls back to the default, and is unlimited without either', () => {
    expect(quotaLimit({ key: 'o', quotaBytes: null }, 100)).toBe(100);
    expect(quotaLimit({ key: 'o', quotaBytes: null }, null)).toBeNull();
  });
});

describe('decideQuota', () => {
  it('passes a file that fits exactly', () => {
    expect(decideQuota(60, 40, 100)).toEqual({ ok: true, limit: 100 });
  });
  it('refuses one byte over, naming the figures', () => {
    const decision = decideQuota(60, 41, 100);
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.reason).toMatch(/quota is used up/);
  });
  it('refuses any file under a zero quota, and passes everything without a limit', () => {
    expect(decideQuota(0, 1, 0).ok).toBe(false);
    expect(decideQuota(10 ** 15, 10 ** 12, null)).toEqual({ ok: true, limit: null });
  });
  it('refuses when an owner is already over (a lowered quota)', () => {
    expect(decideQuota(200, 0, 100).ok).toBe(false);
  });
});

describe('createQuotaOwnersRegistry', () => {
  it('has no resolver until a domain registers one, then the last one', () => {
    const registry = createQuotaOwnersRegistry<null>();
    expect(registry.resolver()).toBeNull();
    const first = { ownerOf: async () => null, usedBytes: async () => 0 };
    const second = { ownerOf: async () => ({ key: 'k', quotaBytes: 1 }), usedBytes: async () => 1 };
    registry.register(first);
    registry.register(second);
    expect(registry.resolver()).toBe(second);
  });
});

import { describe, expect, it } from '@jest/globals';
import { ownerScope, quotaOwnerOf } from './quota-owner.js';

const customer = { id: 'u1', customer: true, organization: 'o1', organizationQuota: null };

describe('quotaOwnerOf', () => {
  it("counts a customer's uploads against their organization, with its own quota if set", () => {
    expect(quotaOwnerOf(customer)).toEqual({ key: 'organization:o1', quotaBytes: null });
    expect(quotaOwnerOf({ ...customer, organizationQuota: '1048576' })).toEqual({
      key: 'organization:o1',
      quotaBytes: 1048576,
    });
    expect(quotaOwnerOf({ ...customer, organizationQuota: 0 })).toEqual({ key: 'organization:o1', quotaBytes: 0 });
  });
  it('ignores a quota that is not a byte count', () => {
    expect(quotaOwnerOf({ ...customer, organizationQuota: 'lots' })?.quotaBytes).toBeNull();
    expect(quotaOwnerOf({ ...customer, organizationQuota: -5 })?.quotaBytes).toBeNull();
  });
  it('counts a customer without an organization against themselves, staff against no one', () => {
    expect(quotaOwnerOf({ ...customer, organization: null })).toEqual({ key: 'user:u1', quotaBytes: null });
    expect(quotaOwnerOf({ ...customer, customer: false })).toBeNull();
  });
});

describe('ownerScope', () => {
  it('reads the keys quotaOwnerOf makes, and nothing else', () => {
    expect(ownerScope('organization:o1')).toEqual({ organization: 'o1' });
    expect(ownerScope('user:u1')).toEqual({ user: 'u1' });
    expect(ownerScope('team:t1')).toBeNull();
    expect(ownerScope('organization:')).toBeNull();
    expect(ownerScope('nothing')).toBeNull();
  });
});

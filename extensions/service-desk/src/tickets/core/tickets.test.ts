import { describe, expect, it } from '@jest/globals';
import { colleagueChangeRefused, referenceOf, requesterRefusal } from './tickets.js';

const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';
const USER = '33333333-3333-4333-8333-333333333333';
const member = { organization: ORG_A, staff: false };

describe('referenceOf', () => {
  it('reads a key, an { id } reference, null, or a row to create', () => {
    expect(referenceOf(ORG_A)).toEqual({ key: ORG_A });
    expect(referenceOf({ id: ORG_A, name: 'renamed' })).toEqual({ key: ORG_A });
    expect(referenceOf(null)).toEqual({ key: null });
    expect(referenceOf(undefined)).toEqual({ key: null });
    expect(referenceOf({ name: 'New org' })).toEqual({ nested: true });
    expect(referenceOf([ORG_A])).toEqual({ nested: true });
  });
});

describe('requesterRefusal', () => {
  it('allows a member of the ticket’s organization, and no requester', () => {
    expect(requesterRefusal({ key: ORG_A }, { key: USER }, member)).toBeNull();
    expect(requesterRefusal({ key: ORG_A }, { key: null }, null)).toBeNull();
  });

  it('refuses a customer of another organization, or of none', () => {
    expect(requesterRefusal({ key: ORG_B }, { key: USER }, member)).toBe(
      "the requester is not a member of the ticket's organization",
    );
    expect(requesterRefusal({ key: ORG_A }, { key: USER }, { organization: null, staff: false })).not.toBeNull();
    expect(requesterRefusal({ key: null }, { key: USER }, member)).toMatch(/only staff/);
  });

  it('allows staff without an organization on any ticket', () => {
    const staff = { organization: null, staff: true };
    expect(requesterRefusal({ key: ORG_A }, { key: USER }, staff)).toBeNull();
    expect(requesterRefusal({ key: null }, { key: USER }, staff)).toBeNull();
  });

  it('refuses an unknown user, a nested new user and a new organization', () => {
    expect(requesterRefusal({ key: ORG_A }, { key: USER }, null)).toBe('the requester is not a user');
    expect(requesterRefusal({ key: ORG_A }, { nested: true }, null)).toMatch(/existing user/);
    expect(requesterRefusal({ nested: true }, { key: USER }, member)).toMatch(/new organization/);
  });
});

describe('colleagueChangeRefused', () => {
  it('leaves rating and reopening to the requester', () => {
    expect(colleagueChangeRefused({ satisfaction: 5 }, USER, USER)).toBe(false);
    expect(colleagueChangeRefused({ satisfaction: 5 }, USER, 'someone-else')).toBe(true);
    expect(colleagueChangeRefused({ status: 'open', workflow_comment: 'again' }, USER, 'someone-else')).toBe(true);
    expect(colleagueChangeRefused({ satisfaction: 5 }, USER, null)).toBe(true);
  });

  it('lets colleagues reply through messages', () => {
    expect(colleagueChangeRefused({ messages: { create: [{ body: 'hi' }] } }, USER, 'someone-else')).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import { decideReply, ticketKeyOf } from './reply.js';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const T9 = '99999999-9999-4999-8999-999999999999';
const customer = { id: 'u-1', customer: true, organization: 'org-a' };
const own = { user: customer, ticketOrganization: 'org-a' };

describe('decideReply', () => {
  it('lets a customer reply on their organization’s ticket, public and as themselves', () => {
    expect(decideReply({ ticket: T1, body: 'hi' }, own)).toEqual({
      allowed: true,
      payload: { ticket: T1, body: 'hi', internal: false, author: 'u-1' },
    });
    expect(decideReply({ ticket: T1, body: 'hi', internal: false, author: 'u-1' }, own).allowed).toBe(true);
  });

  it('refuses another organization’s ticket, a missing one and a nested ticket object', () => {
    expect(decideReply({ ticket: T2, body: 'x' }, { user: customer, ticketOrganization: 'org-b' })).toEqual({
      allowed: false,
      reason: 'ticket of another organization',
    });
    expect(decideReply({ ticket: T9, body: 'x' }, { user: customer, ticketOrganization: null }).allowed).toBe(false);
    expect(decideReply({ ticket: { subject: 'new' }, body: 'x' }, own).allowed).toBe(false);
    expect(decideReply({ ticket: { id: T1, subject: 'renamed' }, body: 'x' }, own).allowed).toBe(false);
    expect(decideReply({ ticket: { id: T1 }, body: 'x' }, own).allowed).toBe(true);
    expect(decideReply({ body: 'x' }, own).allowed).toBe(false);
  });

  it('refuses internal notes and replies in someone else’s name', () => {
    expect(decideReply({ ticket: T1, body: 'x', internal: true }, own).allowed).toBe(false);
    expect(decideReply({ ticket: T1, body: 'x', internal: 'true' }, own).allowed).toBe(false);
    expect(decideReply({ ticket: T1, body: 'x', author: 'u-2' }, own).allowed).toBe(false);
  });

  it('refuses a customer without an organization', () => {
    const user = { ...customer, organization: null };
    expect(decideReply({ ticket: T1, body: 'x' }, { user, ticketOrganization: 'org-a' }).allowed).toBe(false);
  });

  it('leaves staff and calls without a user to their permissions', () => {
    const agent = { id: 'a-1', customer: false, organization: null };
    const payload = { ticket: T2, body: 'note', internal: true };
    expect(decideReply(payload, { user: agent, ticketOrganization: 'org-b' })).toEqual({ allowed: true, payload });
    expect(decideReply(payload, { user: null, ticketOrganization: null })).toEqual({ allowed: true, payload });
  });
});

describe('ticketKeyOf', () => {
  it('takes a key or an { id } reference, not a ticket object or an empty value', () => {
    const key = '0b6c5b8e-2f0e-4d7e-9a4b-1f1e2d3c4b5a';
    expect(ticketKeyOf({ ticket: key })).toBe(key);
    expect(ticketKeyOf({ ticket: 'abc' })).toBeNull();
    expect(ticketKeyOf({ ticket: { id: key } })).toBe(key);
    expect(ticketKeyOf({ ticket: { id: key, subject: 'changed' } })).toBeNull();
    expect(ticketKeyOf({ ticket: [key] })).toBeNull();
    expect(ticketKeyOf({ ticket: '' })).toBeNull();
    expect(ticketKeyOf({})).toBeNull();
  });
});

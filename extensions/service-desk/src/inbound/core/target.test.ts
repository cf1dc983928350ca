import { describe, expect, it } from '@jest/globals';
import { chooseTarget, decideSender, domainOf, ticketNumberIn, ticketSubject } from './target.js';

describe('ticketNumberIn', () => {
  it('finds [SD-1042] anywhere, the last one when several, in any case', () => {
    expect(ticketNumberIn('Re: [SD-1042] Printer')).toBe('SD-1042');
    expect(ticketNumberIn('Fwd: [SD-1000] old / Re: [ sd-1042 ] new')).toBe('SD-1042');
  });
  it('ignores a number without brackets or of another format', () => {
    expect(ticketNumberIn('SD-1042 printer')).toBeNull();
    expect(ticketNumberIn('[INC-1042]')).toBeNull();
  });
});

describe('ticketSubject', () => {
  it('drops reply and forward prefixes, repeated', () => {
    expect(ticketSubject('Re: AW: Fwd: VPN drops')).toBe('VPN drops');
    expect(ticketSubject('  ')).toBe('(no subject)');
    expect(ticketSubject('x'.repeat(300))).toHaveLength(255);
  });
});

describe('domainOf', () => {
  it('answers the lower-case domain, or null', () => {
    expect(domainOf('Jana@Customer.Example')).toBe('customer.example');
    expect(domainOf('nobody')).toBeNull();
    expect(domainOf('a@')).toBeNull();
  });
});

describe('chooseTarget', () => {
  it('prefers a ticket our sent Message-IDs name over the subject’s number', () => {
    expect(chooseTarget(['t1'], 't2')).toEqual({ kind: 'reply', ticket: 't1', by: 'in-reply-to' });
    expect(chooseTarget([], 't2')).toEqual({ kind: 'reply', ticket: 't2', by: 'reference' });
    expect(chooseTarget([], null)).toEqual({ kind: 'new' });
  });
});

describe('decideSender', () => {
  const customer = { id: 'u', status: 'active', customer: true, organization: 'o' };
  it('lets an active customer act as themself', () => {
    expect(decideSender(customer, null, 'reject')).toEqual({ kind: 'customer', user: 'u', organization: 'o' });
  });
  it('refuses staff, inactive customers and customers without organization; holds pending contacts', () => {
    expect(decideSender({ ...customer, customer: false }, 'o', 'pending_contact').kind).toBe('refuse');
    expect(decideSender({ ...customer, status: 'suspended' }, 'o', 'pending_contact')).toEqual({
      kind: 'refuse',
      reason: "the sender's account is suspended",
    });
    expect(decideSender({ ...customer, organization: null }, 'o', 'reject').kind).toBe('refuse');
    expect(decideSender({ ...customer, status: 'draft' }, 'o', 'reject').kind).toBe('hold');
  });
  it('treats unknown senders by the configured mode', () => {
    expect(decideSender(null, 'o', 'reject')).toEqual({ kind: 'refuse', reason: 'unknown sender' });
    expect(decideSender(null, 'o', 'pending_contact')).toEqual({ kind: 'create-contact', organization: 'o' });
    expect(decideSender(null, null, 'pending_contact').kind).toBe('refuse');
  });
});

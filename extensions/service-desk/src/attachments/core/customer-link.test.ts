import { describe, expect, it } from '@jest/globals';
import { decideCustomerLink, type CustomerLinkFacts } from './customer-link.js';

const USER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const ORG = '33333333-3333-4333-8333-333333333333';
const FILE = '44444444-4444-4444-8444-444444444444';
const MESSAGE = '55555555-5555-4555-8555-555555555555';
const payload = { directus_files_id: FILE, ticket_messages_id: MESSAGE };

const facts = (change: Partial<CustomerLinkFacts> = {}): CustomerLinkFacts => ({
  user: { id: USER, organization: ORG },
  file: { uploadedBy: USER, linkedTo: null, attachedTo: 0 },
  message: { author: USER, internal: false, organization: ORG },
  ...change,
});
const reason = (p: Record<string, unknown>, f: CustomerLinkFacts) => {
  const decision = decideCustomerLink(p, f);
  return decision.allowed ? 'allowed' : decision.reason;
};

describe('decideCustomerLink', () => {
  it('lets a customer attach their own unattached upload to their own public message', () => {
    expect(reason(payload, facts())).toBe('allowed');
  });

  it('refuses links that do not name both rows by key (nested objects, missing keys)', () => {
    expect(reason({ directus_files_id: FILE }, facts())).toMatch(/by key/);
    expect(reason({ ...payload, directus_files_id: { id: FILE, title: 'x' } }, facts())).toMatch(/by key/);
    expect(reason({ ...payload, ticket_messages_id: { ticket: 't', body: 'b' } }, facts())).toMatch(/by key/);
    expect(reason({ ...payload, directus_files_id: 'not-a-uuid' }, facts())).toMatch(/by key/);
  });

  it("refuses another person's file, a missing one, and one attached already", () => {
    expect(reason(payload, facts({ file: null }))).toBe('file not found');
    expect(reason(payload, facts({ file: { uploadedBy: OTHER, linkedTo: null, attachedTo: 0 } }))).toMatch(/someone/);
    expect(reason(payload, facts({ file: { uploadedBy: null, linkedTo: null, attachedTo: 0 } }))).toMatch(/someone/);
    expect(reason(payload, facts({ file: { uploadedBy: USER, linkedTo: MESSAGE, attachedTo: 1 } }))).toMatch(/already/);
    expect(reason(payload, facts({ file: { uploadedBy: USER, linkedTo: null, attachedTo: 1 } }))).toMatch(/already/);
  });

  it("refuses internal notes, another organization's messages, others' messages and missing ones", () => {
    expect(reason(payload, facts({ message: null }))).toBe('message not found');
    expect(reason(payload, facts({ message: { author: USER, internal: true, organization: ORG } }))).toMatch(
      /internal/,
    );
    expect(reason(payload, facts({ message: { author: USER, internal: false, organization: OTHER } }))).toMatch(
      /another organization/,
    );
    expect(reason(payload, facts({ message: { author: OTHER, internal: false, organization: ORG } }))).toMatch(
      /did not write/,
    );
  });

  it('refuses a customer without an organization', () => {
    expect(reason(payload, facts({ user: { id: USER, organization: null } }))).toMatch(/without an organization/);
  });
});

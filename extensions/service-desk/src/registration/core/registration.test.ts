import { describe, expect, it } from '@jest/globals';
import { assignOrganization, emailDomain, isPublicRegistration } from './registration.js';

const settings = { public_registration: true, public_registration_role: 'customer-role' };
const orgs: Record<string, string> = { 'acme.com': 'org-acme' };
const find = async (domain: string) => orgs[domain] ?? null;

describe('emailDomain', () => {
  it('takes the part after the last @, lower-cased', () => {
    expect(emailDomain('Jane.Doe@ACME.com')).toBe('acme.com');
    expect(emailDomain('"a@b"@acme.com')).toBe('acme.com');
    expect(emailDomain('no-at-sign')).toBeNull();
    expect(emailDomain('@acme.com')).toBeNull();
    expect(emailDomain('jane@')).toBeNull();
    expect(emailDomain(42)).toBeNull();
  });
});

describe('isPublicRegistration', () => {
  const user = { email: 'jane@acme.com', role: 'customer-role' };
  it('is an anonymous creation into the registration role', () => {
    expect(isPublicRegistration(user, true, settings)).toBe(true);
  });
  it('leaves admins, other roles, closed registration and given organizations alone', () => {
    expect(isPublicRegistration(user, false, settings)).toBe(false);
    expect(isPublicRegistration({ ...user, role: 'agent-role' }, true, settings)).toBe(false);
    expect(isPublicRegistration(user, true, { ...settings, public_registration: false })).toBe(false);
    expect(isPublicRegistration(user, true, { ...settings, public_registration_role: null })).toBe(false);
    expect(isPublicRegistration({ ...user, organization: 'org-x' }, true, settings)).toBe(false);
  });
});

describe('assignOrganization', () => {
  it('sets the organization that owns the domain', async () => {
    await expect(assignOrganization({ email: 'Jane@Acme.com', role: 'r' }, find)).resolves.toEqual({
      ok: true,
      user: { email: 'Jane@Acme.com', role: 'r', organization: 'org-acme' },
    });
  });
  it('refuses an unknown domain or a subdomain, naming it', async () => {
    await expect(assignOrganization({ email: 'x@evil.com' }, find)).resolves.toEqual({ ok: false, domain: 'evil.com' });
    await expect(assignOrganization({ email: 'x@mail.acme.com' }, find)).resolves.toEqual({
      ok: false,
      domain: 'mail.acme.com',
    });
    await expect(assignOrganization({ email: 'broken' }, find)).resolves.toEqual({ ok: false, domain: null });
  });
});

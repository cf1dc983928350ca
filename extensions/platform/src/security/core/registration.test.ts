import { describe, expect, it } from '@jest/globals';
import {
  existingAccountMail,
  isUrlAllowed,
  refusedRegistrationMail,
  registerBody,
  registrationPath,
  stallUntil,
  unusablePassword,
} from './registration.js';

describe('registrationPath', () => {
  it('registers new and pending addresses, mails the owner of any other account', () => {
    expect(registrationPath(null)).toBe('register');
    expect(registrationPath('unverified')).toBe('register');
    for (const status of ['active', 'invited', 'suspended', 'archived', 'draft']) {
      expect([status, registrationPath(status)]).toEqual([status, 'existing_account']);
    }
  });
});

describe('registerBody', () => {
  it('accepts Directus SDK bodies, refuses unknown fields and bad emails', () => {
    expect(registerBody.safeParse({ email: 'a@b.example.com', password: 'x' }).success).toBe(true);
    expect(registerBody.safeParse({ email: 'a@b.example.com' }).success).toBe(true);
    expect(registerBody.safeParse({ email: 'not an email' }).success).toBe(false);
    expect(registerBody.safeParse({ email: 'a@b.example.com', role: 'admin' }).success).toBe(false);
  });
});

describe('unusablePassword', () => {
  it('passes the project policy and differs every time', () => {
    const policy = /^(?=.*[A-Za-z])(?=.*[^A-Za-z]).{12,128}$/;
    const a = unusablePassword();
    expect(policy.test(a)).toBe(true);
    expect(a).not.toBe(unusablePassword());
  });
});

describe('isUrlAllowed', () => {
  it('matches the exact URL or the same origin and path', () => {
    const list = 'http://localhost:5173/verify, https://app.example.com/reset';
    expect(isUrlAllowed('http://localhost:5173/verify', list)).toBe(true);
    expect(isUrlAllowed('https://app.example.com/reset?x=1', list)).toBe(true);
    expect(isUrlAllowed('https://evil.example.com/reset', list)).toBe(false);
    expect(isUrlAllowed('https://app.example.com/reset', undefined)).toBe(false);
    expect(isUrlAllowed('https://app.example.com/reset', ['https://app.example.com/reset'])).toBe(true);
  });
});

describe('stallUntil', () => {
  it('waits the rest of the minimum, and not at all once it has passed', async () => {
    let now = 0;
    const started = Date.now();
    await stallUntil(1000, 0, () => now);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    now = 2000;
    const again = Date.now();
    await stallUntil(1000, 0, () => now);
    expect(Date.now() - again).toBeLessThan(100);
  });
});

describe('mails', () => {
  it('escape what they quote and never carry a link to act on', () => {
    const refused = refusedRegistrationMail('Desk', 'no organization uses "<b>evil</b>"');
    expect(refused.html).toContain('&lt;b&gt;evil&lt;/b&gt;');
    expect(refused.text).toContain('no organization uses');
    const existing = existingAccountMail('Desk', 'use "Forgot password" on the sign-in page.');
    expect(existing.subject).toContain('already have an account');
  });
});

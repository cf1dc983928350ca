import { describe, expect, it } from '@jest/globals';
import { shareLoginAllowed, shareWriteAllowed, shareWriteRefusal } from './shares.js';

describe('shareWriteAllowed with the response cache off', () => {
  it('allows admins and calls without accountability to create and change shares', () => {
    for (const write of ['create', 'update'] as const) {
      expect(shareWriteAllowed({ user: 'a', admin: true }, write, false)).toBe(true);
      expect(shareWriteAllowed(null, write, false)).toBe(true);
    }
  });
  it('refuses every other caller, signed in or public', () => {
    for (const write of ['create', 'update'] as const) {
      expect(shareWriteAllowed({ user: 'u', admin: false }, write, false)).toBe(false);
      expect(shareWriteAllowed({ user: null, admin: false }, write, false)).toBe(false);
    }
  });
});

describe('shareWriteAllowed with the response cache on (CVE-2026-61836)', () => {
  it('refuses every creation, an admin’s and Directus’s own included', () => {
    expect(shareWriteAllowed({ user: 'a', admin: true }, 'create', true)).toBe(false);
    expect(shareWriteAllowed(null, 'create', true)).toBe(false);
    expect(shareWriteAllowed({ user: 'u', admin: false }, 'create', true)).toBe(false);
  });
  it('lets an admin change an existing share (to end it), and nobody else', () => {
    expect(shareWriteAllowed({ user: 'a', admin: true }, 'update', true)).toBe(true);
    expect(shareWriteAllowed({ user: 'u', admin: false }, 'update', true)).toBe(false);
  });
});

describe('shareWriteRefusal', () => {
  it('names the reason: a non-admin is refused as such with the cache on or off; an admin only by the cache', () => {
    expect(shareWriteRefusal({ user: 'u', admin: false }, 'create', true)).toBe('not-admin');
    expect(shareWriteRefusal({ user: 'u', admin: false }, 'update', false)).toBe('not-admin');
    expect(shareWriteRefusal({ user: 'a', admin: true }, 'create', true)).toBe('response-cache');
    expect(shareWriteRefusal(null, 'create', true)).toBe('response-cache');
    expect(shareWriteRefusal({ user: 'a', admin: true }, 'update', true)).toBeNull();
  });
});

describe('shareLoginAllowed', () => {
  it('lets a link sign in only while the response cache is off', () => {
    expect(shareLoginAllowed(false)).toBe(true);
    expect(shareLoginAllowed(true)).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import { shareWriteAllowed } from './shares.js';

describe('shareWriteAllowed', () => {
  it('allows admins and calls without accountability', () => {
    expect(shareWriteAllowed({ user: 'a', admin: true })).toBe(true);
    expect(shareWriteAllowed(null)).toBe(true);
  });
  it('refuses every other caller, signed in or public', () => {
    expect(shareWriteAllowed({ user: 'u', admin: false })).toBe(false);
    expect(shareWriteAllowed({ user: null, admin: false })).toBe(false);
  });
});

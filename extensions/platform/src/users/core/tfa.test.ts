import { describe, expect, it } from '@jest/globals';
import { clearsTfa, tfaResetRefused } from './tfa.js';

const manager = { user: 'm', admin: false };

describe('tfaResetRefused', () => {
  it('refuses a non-admin clearing TOTP where a policy enforces it', () => {
    expect(tfaResetRefused({ tfa_secret: null }, manager, true)).toBe(true);
  });
  it('allows it where nothing enforces TOTP, for admins and for Directus itself', () => {
    expect(tfaResetRefused({ tfa_secret: null }, manager, false)).toBe(false);
    expect(tfaResetRefused({ tfa_secret: null }, { user: 'a', admin: true }, true)).toBe(false);
    expect(tfaResetRefused({ tfa_secret: null }, null, true)).toBe(false);
  });
  it('ignores updates that do not clear the secret', () => {
    expect(tfaResetRefused({ first_name: 'x' }, manager, true)).toBe(false);
    expect(tfaResetRefused({ tfa_secret: 'ABC' }, manager, true)).toBe(false);
    expect(clearsTfa({ tfa_secret: '' })).toBe(true);
  });
});

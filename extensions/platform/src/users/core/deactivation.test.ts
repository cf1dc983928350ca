import { describe, expect, it } from '@jest/globals';
import { deactivateSelfBody, deactivateUserBody, deactivateUserParams } from './contract.js';
import { accessTokenUser, checkAdminDeactivation, checkSelfDeactivation } from './deactivation.js';

const jwt = (payload: object) =>
  ['{"alg":"HS256"}', JSON.stringify(payload), 'sig']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.');

describe('checkSelfDeactivation', () => {
  it('lets a signed-in user deactivate themself, not anonymous callers or admins', () => {
    expect(checkSelfDeactivation({ user: 'u1', admin: false })).toBeNull();
    expect(checkSelfDeactivation({ user: null, admin: false })).toEqual({ refused: 'unauthenticated' });
    expect(checkSelfDeactivation({ user: 'a1', admin: true })).toMatchObject({ refused: 'forbidden' });
  });
});

describe('checkAdminDeactivation', () => {
  it('is for admins, on someone else', () => {
    expect(checkAdminDeactivation({ user: 'a1', admin: true }, 'u1')).toBeNull();
    expect(checkAdminDeactivation({ user: 'u2', admin: false }, 'u1')).toMatchObject({ refused: 'forbidden' });
    expect(checkAdminDeactivation({ user: null, admin: false }, 'u1')).toEqual({ refused: 'unauthenticated' });
    expect(checkAdminDeactivation({ user: 'a1', admin: true }, 'a1')).toMatchObject({ refused: 'conflict' });
    expect(checkAdminDeactivation({ user: 'a1', admin: true }, null)).toBeNull();
    expect(checkAdminDeactivation({ user: 'u2', admin: false }, null)).toMatchObject({ refused: 'forbidden' });
  });
});

describe('accessTokenUser', () => {
  it('reads the user of a Directus JWT and nothing else', () => {
    expect(accessTokenUser(jwt({ id: 'u1', iss: 'directus', role: 'r' }))).toBe('u1');
    expect(accessTokenUser(jwt({ id: 'u1', iss: 'someone-else' }))).toBeNull();
    expect(accessTokenUser(jwt({ share: 's1', iss: 'directus' }))).toBeNull();
    expect(accessTokenUser('static-token-without-dots')).toBeNull();
    expect(accessTokenUser('a.%%%.c')).toBeNull();
    expect(accessTokenUser(undefined)).toBeNull();
  });
});

describe('contract', () => {
  it('refuses unknown fields, a missing password and a status that is not inactive', () => {
    expect(deactivateSelfBody.safeParse({}).success).toBe(false);
    expect(deactivateSelfBody.safeParse({ password: 'x', status: 'active' }).success).toBe(false);
    expect(deactivateUserBody.parse({})).toEqual({ status: 'suspended' });
    expect(deactivateUserBody.safeParse({ status: 'active' }).success).toBe(false);
    expect(deactivateUserParams.safeParse({ id: 'not-a-uuid' }).success).toBe(false);
  });
});

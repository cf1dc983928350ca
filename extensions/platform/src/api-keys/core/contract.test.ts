import { describe, expect, it } from '@jest/globals';
import { createKeyBody, keyParams, listKeysQuery } from './contract.js';
import { API_KEYS_MODULE_ID } from './module-id.js';

const policy = '0b8b4c7e-4f7c-4f55-9d0c-3d0f1c1d2e3f';

describe('createKeyBody', () => {
  it('takes a name and a policy, and defaults to no expiry and no signature', () => {
    expect(createKeyBody.parse({ name: '  CRM sync  ', policy })).toEqual({
      name: 'CRM sync',
      policy,
      expires_at: null,
      require_signature: false,
    });
  });

  it('keeps an expiry with an offset and the signature requirement', () => {
    const parsed = createKeyBody.parse({
      name: 'billing',
      policy,
      expires_at: '2027-01-01T00:00:00+01:00',
      require_signature: true,
    });
    expect(parsed).toMatchObject({ expires_at: '2027-01-01T00:00:00+01:00', require_signature: true });
  });

  it.each([
    ['an empty name', { name: '   ', policy }],
    ['a name over 100 characters', { name: 'x'.repeat(101), policy }],
    ['a policy that is not a uuid', { name: 'a', policy: 'administrator' }],
    ['a date without a time', { name: 'a', policy, expires_at: '2027-01-01' }],
    ['a signature flag as a string', { name: 'a', policy, require_signature: 'yes' }],
    ['an unknown field (a caller choosing the secret)', { name: 'a', policy, secret: 'mine' }],
  ])('refuses %s', (_what, body) => {
    expect(createKeyBody.safeParse(body).success).toBe(false);
  });
});

describe('keyParams and listKeysQuery', () => {
  it('take a uuid id and no query parameters', () => {
    expect(keyParams.safeParse({ id: policy }).success).toBe(true);
    expect(keyParams.safeParse({ id: '1' }).success).toBe(false);
    expect(listKeysQuery.safeParse({}).success).toBe(true);
    expect(listKeysQuery.safeParse({ secret: 'x' }).success).toBe(false);
  });
});

it('names the admin-app module as the bundle declares it', () => {
  expect(API_KEYS_MODULE_ID).toBe('groundwork-api-keys');
});

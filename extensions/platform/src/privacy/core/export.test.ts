import { describe, expect, it } from '@jest/globals';
import { emptyDomainErasure } from './erasure.js';
import { assembleExport, createPersonalDataRegistry, exportQuery, withoutCredentials } from './export.js';

const erase = async () => emptyDomainErasure();

const platform = {
  user: {
    id: 'u1',
    email: 'carol@acme.example',
    password: '$argon2id$x',
    tfa_secret: 'SEED',
    token: 'static',
    auth_data: '{}',
  },
  files: [{ id: 'f1' }],
  notifications: { in_app: [], preferences: [{ id: 1 }], outbox: [] },
  workflow_history: [],
  security_events: null,
  inbound_emails: [],
};

describe('withoutCredentials', () => {
  it('drops the password hash, TOTP seed, static token and SSO data, and keeps the rest', () => {
    expect(withoutCredentials(platform.user)).toEqual({ id: 'u1', email: 'carol@acme.example' });
    expect(platform.user.password).toBe('$argon2id$x');
  });
});

describe('assembleExport', () => {
  it('puts the platform sections and each registered domain under its name, without credentials', async () => {
    const registry = createPersonalDataRegistry<{ user: string }>();
    registry.register({ name: 'desk', collect: async ({ user }) => ({ tickets: [{ requester: user }] }), erase });
    const result = await assembleExport({
      exportedAt: new Date('2026-12-02T03:00:00Z'),
      platform,
      sources: registry.sources(),
      request: { user: 'u1' },
    });
    expect(result).toEqual({
      exported_at: '2026-12-02T03:00:00.000Z',
      user: { id: 'u1', email: 'carol@acme.example' },
      files: [{ id: 'f1' }],
      notifications: platform.notifications,
      workflow_history: [],
      security_events: null,
      inbound_emails: [],
      domains: { desk: { tickets: [{ requester: 'u1' }] } },
    });
    expect(JSON.stringify(result)).not.toMatch(/argon2id|SEED|static/);
  });

  it('fails when a domain fails, rather than export part of the data as if it were all', async () => {
    const registry = createPersonalDataRegistry<object>();
    registry.register({ name: 'desk', collect: () => Promise.reject(new Error('db down')), erase });
    await expect(
      assembleExport({ exportedAt: new Date(), platform, sources: registry.sources(), request: {} }),
    ).rejects.toThrow('db down');
  });
});

describe('createPersonalDataRegistry', () => {
  it('refuses a second source under one name', () => {
    const registry = createPersonalDataRegistry<object>();
    registry.register({ name: 'desk', collect: async () => ({}), erase });
    expect(() => registry.register({ name: 'desk', collect: async () => ({}), erase })).toThrow(/already registered/);
    expect(registry.sources()).toHaveLength(1);
  });
});

describe('exportQuery', () => {
  it('accepts no parameter but access_token', () => {
    expect(exportQuery.safeParse({}).success).toBe(true);
    expect(exportQuery.safeParse({ access_token: 'x' }).success).toBe(true);
    expect(exportQuery.safeParse({ fields: '*' }).success).toBe(false);
  });
});

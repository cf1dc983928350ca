import { describe, expect, it } from '@jest/globals';
import { accessChangeEvent, denialEvent, passwordResetOutcome, resetTokenEmail, userChangeEvents } from './events.js';

const caller = { user: 'admin-id', ip: '203.0.113.9' };

describe('accessChangeEvent', () => {
  it('records who changed which role, from where, and which fields', () => {
    const event = accessChangeEvent(
      'roles',
      'update',
      { keys: ['r1'], payload: { name: 'Ops', icon: 'x' } },
      caller,
      'req-1',
    );
    expect(event).toEqual({
      type: 'role',
      outcome: 'updated',
      actorId: 'admin-id',
      userId: null,
      ip: '203.0.113.9',
      requestId: 'req-1',
      detail: { keys: ['r1'], fields: ['icon', 'name'], name: 'Ops' },
    });
  });
  it('keeps a permission’s collection and action but not its rules', () => {
    const event = accessChangeEvent(
      'permissions',
      'create',
      { key: 7, payload: { collection: 'tickets', action: 'read', permissions: { secret: { _eq: 'x' } } } },
      caller,
      null,
    );
    expect(event.outcome).toBe('created');
    expect(event.detail).toEqual({
      keys: ['7'],
      fields: ['action', 'collection', 'permissions'],
      collection: 'tickets',
      action: 'read',
    });
  });
  it('makes a direct policy grant about its user', () => {
    const event = accessChangeEvent(
      'access',
      'create',
      { key: 'a1', payload: { user: 'u1', policy: 'p1' } },
      caller,
      null,
    );
    expect(event).toMatchObject({ type: 'access', userId: 'u1', detail: { user: 'u1', policy: 'p1' } });
  });
  it('records a system change without an actor', () => {
    expect(accessChangeEvent('policies', 'delete', { keys: ['p1'] }, null, null)).toMatchObject({
      type: 'policy',
      outcome: 'deleted',
      actorId: null,
      ip: null,
    });
  });
});

describe('userChangeEvents', () => {
  it('turns a role and status change of two users into one event per user and kind', () => {
    const events = userChangeEvents(
      'update',
      { keys: ['u1', 'u2'], payload: { role: 'r2', status: 'suspended' } },
      caller,
      'q',
    );
    expect(events.map((e) => [e.type, e.userId, e.detail])).toEqual([
      ['user_role', 'u1', { role: 'r2' }],
      ['user_status', 'u1', { status: 'suspended' }],
      ['user_role', 'u2', { role: 'r2' }],
      ['user_status', 'u2', { status: 'suspended' }],
    ]);
    expect(events.every((e) => e.actorId === 'admin-id' && e.requestId === 'q')).toBe(true);
  });
  it('records TOTP on and off without the secret', () => {
    const [on] = userChangeEvents(
      'update',
      { keys: ['u1'], payload: { tfa_secret: 'JBSWY3DPEHPK3PXP' } },
      caller,
      null,
    );
    const [off] = userChangeEvents('update', { keys: ['u1'], payload: { tfa_secret: null } }, caller, null);
    expect([on?.type, on?.outcome, off?.outcome]).toEqual(['tfa', 'enabled', 'disabled']);
    expect(JSON.stringify([on, off])).not.toContain('JBSWY3DPEHPK3PXP');
  });
  it('records a password set by a signed-in caller, never the password; resets (no user) are left to their route', () => {
    const [set] = userChangeEvents('update', { keys: ['u1'], payload: { password: 'hunter2-secret' } }, caller, null);
    expect(set).toMatchObject({ type: 'password', outcome: 'changed', userId: 'u1' });
    expect(JSON.stringify(set)).not.toContain('hunter2');
    expect(userChangeEvents('update', { keys: ['u1'], payload: { password: 'x' } }, { user: null }, null)).toEqual([]);
  });
  it('ignores changes that are not about access', () => {
    expect(
      userChangeEvents('update', { keys: ['u1'], payload: { first_name: 'Ann', email: 'a@b.c' } }, caller, null),
    ).toEqual([]);
  });
  it('records deletions', () => {
    expect(userChangeEvents('delete', { keys: ['u1'] }, caller, null)).toMatchObject([
      { type: 'user', outcome: 'deleted', userId: 'u1' },
    ]);
  });
});

describe('denialEvent', () => {
  it('records 401 and 403 with the path but not the query', () => {
    const event = denialEvent({
      status: 403,
      method: 'GET',
      path: '/groundwork/v1/security/events?access_token=abc',
      caller: { user: 'u9', ip: '198.51.100.1' },
      requestId: 'r',
    });
    expect(event).toMatchObject({
      type: 'access_denied',
      outcome: 'forbidden',
      actorId: 'u9',
      userId: 'u9',
      detail: { method: 'GET', path: '/groundwork/v1/security/events', status: 403 },
    });
    expect(denialEvent({ status: 401, method: 'GET', path: '/x', caller: null, requestId: null })?.outcome).toBe(
      'unauthenticated',
    );
  });
  it('is no event for other statuses', () => {
    for (const status of [200, 204, 400, 404, 429, 500])
      expect(denialEvent({ status, method: 'GET', path: '/x', caller: null, requestId: null })).toBeNull();
  });
});

describe('password resets', () => {
  it('maps the answer to an outcome', () => {
    expect([
      passwordResetOutcome(204),
      passwordResetOutcome(400),
      passwordResetOutcome(403),
      passwordResetOutcome(500),
    ]).toEqual(['completed', 'failed', 'failed', null]);
  });
  it('reads the email of a reset token only', () => {
    const token = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
    expect(resetTokenEmail(token({ email: 'a@b.c', scope: 'password-reset' }))).toBe('a@b.c');
    expect(resetTokenEmail(token({ email: 'a@b.c', scope: 'invite' }))).toBeNull();
    expect(resetTokenEmail('not a token')).toBeNull();
    expect(resetTokenEmail(undefined)).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  carriesAccess,
  currentAccess,
  globalAccess,
  ipInNetworks,
  rolesTree,
  type AccessRow,
} from './current-access.js';

const row = (over: Partial<AccessRow>): AccessRow => ({
  role: null,
  user: null,
  admin_access: false,
  app_access: false,
  ip_access: null,
  ...over,
});

describe('rolesTree', () => {
  it('walks from the role up to the root and returns root first, as Directus does', () => {
    const roles = [
      { id: 'agent', parent: 'staff' },
      { id: 'staff', parent: null },
      { id: 'customer', parent: null },
    ];
    expect(rolesTree('agent', roles)).toEqual(['staff', 'agent']);
    expect(rolesTree('customer', roles)).toEqual(['customer']);
    expect(rolesTree(null, roles)).toEqual([]);
    expect(rolesTree('deleted', roles)).toEqual([]);
  });

  it('stops on a cycle instead of looping', () => {
    expect(
      rolesTree('a', [
        { id: 'a', parent: 'b' },
        { id: 'b', parent: 'a' },
      ]),
    ).toEqual(['b', 'a']);
  });
});

describe('globalAccess', () => {
  it('takes admin and app from policies of the roles and of the user only', () => {
    const rows = [
      row({ role: 'agent', app_access: true }),
      row({ role: 'administrator', admin_access: true }),
      row({ user: 'u2', admin_access: true }),
    ];
    expect(globalAccess(rows, { user: 'u1', roles: ['agent'], ip: null })).toEqual({ admin: false, app: true });
    expect(globalAccess(rows, { user: 'u1', roles: ['customer'], ip: null })).toEqual({ admin: false, app: false });
    expect(globalAccess(rows, { user: 'u2', roles: ['customer'], ip: null })).toEqual({ admin: true, app: true });
  });

  it('skips a policy whose ip_access excludes the caller', () => {
    const rows = [row({ role: 'ops', admin_access: true, ip_access: '10.0.0.0/8,192.168.1.1' })];
    expect(globalAccess(rows, { user: 'u', roles: ['ops'], ip: '10.1.2.3' }).admin).toBe(true);
    expect(globalAccess(rows, { user: 'u', roles: ['ops'], ip: '192.168.1.1' }).admin).toBe(true);
    expect(globalAccess(rows, { user: 'u', roles: ['ops'], ip: '8.8.8.8' }).admin).toBe(false);
  });
});

describe('ipInNetworks', () => {
  it('reads addresses, subnets and ranges', () => {
    expect(ipInNetworks('127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(ipInNetworks('10.0.0.5', ['10.0.0.1-10.0.0.9'])).toBe(true);
    expect(ipInNetworks('10.0.0.10', ['10.0.0.1-10.0.0.9'])).toBe(false);
    expect(ipInNetworks('::1', ['::1/128'])).toBe(true);
  });
});

describe('currentAccess and carriesAccess', () => {
  const roles = [
    { id: 'agent', parent: null },
    { id: 'customer', parent: null },
  ];
  const rows = [row({ role: 'agent', app_access: true })];

  it('computes the demoted user access from the current role, not the token role', () => {
    const access = currentAccess({ id: 'u', status: 'active', role: 'customer' }, roles, rows, null);
    expect(access).toEqual({ role: 'customer', roles: ['customer'], admin: false, app: false });
    // The accountability Directus built from an agent token no longer carries it.
    expect(carriesAccess({ role: 'agent', roles: ['agent'], admin: false, app: true }, access)).toBe(false);
    expect(carriesAccess({ role: 'customer', roles: ['customer'], admin: false, app: false }, access)).toBe(true);
  });

  it('sees a lost admin flag with the role unchanged', () => {
    const access = currentAccess({ id: 'u', status: 'active', role: 'agent' }, roles, rows, null);
    expect(carriesAccess({ role: 'agent', roles: ['agent'], admin: true, app: true }, access)).toBe(false);
  });
});

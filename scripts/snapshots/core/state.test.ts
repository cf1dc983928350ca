import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './canonical.js';
import {
  BOOTSTRAP_ADMIN,
  normalizeAccess,
  normalizeFlows,
  normalizeSchema,
  orderByReferences,
  resolveBootstrapAdmin,
} from './state.js';

const adminRole = { id: 'r-admin', name: 'Administrator', icon: 'verified', description: '$t:admin_description' };
const adminPolicy = { ...adminRole, id: 'p-admin', admin_access: true, app_access: true };
const agents = { id: 'r-agent', name: 'Agent', icon: 'x', description: null, parent: null };
const agentPolicy = { id: 'p-agent', name: 'Agent', admin_access: false, app_access: true };

describe('normalizeSchema', () => {
  it('drops where it was captured and orders rows by name, not by database ids', () => {
    const schema = normalizeSchema({
      version: 1,
      directus: '11.17.4',
      vendor: 'postgres',
      collections: [{ collection: 'tickets' }, { collection: 'articles' }],
      fields: [
        { collection: 'tickets', field: 'subject', meta: { sort: 2, note: null } },
        { collection: 'tickets', field: 'id', meta: { sort: 1 } },
      ],
      relations: [],
    });
    expect(schema).not.toHaveProperty('directus');
    expect(schema.collections.map((row) => row.collection)).toEqual(['articles', 'tickets']);
    expect(schema.fields.map((row) => row.field)).toEqual(['id', 'subject']);
    expect(canonicalJson(schema)).toContain('"meta": {\n        "note": null,\n        "sort": 2');
  });
});

describe('normalizeAccess', () => {
  const raw = {
    roles: [agents, adminRole],
    policies: [agentPolicy, adminPolicy],
    permissions: [
      { id: 7, policy: 'p-agent', collection: 'tickets', action: 'update', fields: '*' },
      { id: 3, policy: 'p-agent', collection: 'tickets', action: 'read', fields: '*' },
    ],
    access: [
      { id: 'a1', role: 'r-admin', user: null, policy: 'p-admin', sort: null },
      { id: 'a2', role: 'r-agent', user: null, policy: 'p-agent', sort: 1 },
      { id: 'a3', role: null, user: 'u-1', policy: 'p-agent', sort: 1 },
    ],
  };

  it('leaves out the bootstrap admin, serial ids and user links, and names the admin by a token', () => {
    const access = normalizeAccess(raw);
    expect(access.roles.map((row) => row.id)).toEqual(['r-agent']);
    expect(access.policies.map((row) => row.id)).toEqual(['p-agent']);
    expect(access.permissions.map((row) => row.action)).toEqual(['read', 'update']);
    expect(access.permissions[0]).not.toHaveProperty('id');
    expect(access.access).toEqual([
      { role: BOOTSTRAP_ADMIN, policy: BOOTSTRAP_ADMIN, sort: null },
      { role: 'r-agent', policy: 'p-agent', sort: 1 },
    ]);
  });

  it('gives the same state whatever the row order', () => {
    const reversed = {
      roles: [...raw.roles].reverse(),
      policies: [...raw.policies].reverse(),
      permissions: [...raw.permissions].reverse(),
      access: [...raw.access].reverse(),
    };
    expect(canonicalJson(normalizeAccess(reversed))).toBe(canonicalJson(normalizeAccess(raw)));
  });

  it('refuses two permissions for the same policy, collection and action', () => {
    const twice = { ...raw, permissions: [...raw.permissions, { id: 9, policy: 'p-agent', collection: 'tickets', action: 'read' }] };
    expect(() => normalizeAccess(twice)).toThrow('p-agent/tickets/read');
  });

  it('resolves the admin token to the ids of the database being migrated', () => {
    const resolved = resolveBootstrapAdmin(normalizeAccess(raw), { role: 'local-role', policy: 'local-policy' });
    expect(resolved.access[0]).toEqual({ role: 'local-role', policy: 'local-policy', sort: null });
    expect(() => resolveBootstrapAdmin(normalizeAccess(raw), { role: null, policy: null })).toThrow('Administrator');
  });
});

describe('normalizeFlows', () => {
  it('drops creation dates and users', () => {
    const flows = normalizeFlows({
      flows: [{ id: 'f1', name: 'Notify', date_created: new Date(), user_created: 'u-1', operation: 'o1' }],
      operations: [{ id: 'o1', key: 'log', flow: 'f1', date_created: new Date(), user_created: 'u-1' }],
    });
    expect(flows.flows[0]).not.toHaveProperty('date_created');
    expect(flows.operations[0]).not.toHaveProperty('user_created');
    expect(flows.flows[0]?.operation).toBe('o1');
  });
});

describe('orderByReferences', () => {
  it('puts a collection after the ones it refers to, alphabetical otherwise', () => {
    const relations = [
      { collection: 'notification_rules', field: 'template', related_collection: 'notification_templates' },
      { collection: 'notification_rules', field: 'owner', related_collection: 'directus_users' },
      { collection: 'a_self', field: 'parent', related_collection: 'a_self' },
    ];
    expect(orderByReferences(['notification_rules', 'notification_templates', 'a_self'], relations)).toEqual([
      'a_self',
      'notification_templates',
      'notification_rules',
    ]);
  });

  it('keeps going on a cycle', () => {
    const relations = [
      { collection: 'a', field: 'b', related_collection: 'b' },
      { collection: 'b', field: 'a', related_collection: 'a' },
    ];
    expect(orderByReferences(['b', 'a'], relations).sort()).toEqual(['a', 'b']);
  });
});

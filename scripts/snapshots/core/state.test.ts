import { describe, expect, it } from '@jest/globals';
import { canonicalJson, sortRows } from './canonical.js';
import {
  accessKey,
  BOOTSTRAP_ADMIN,
  findBootstrapAdmin,
  normalizeAccess,
  normalizeData,
  normalizeFlows,
  normalizeSchema,
  orderByReferences,
  primaryKeyOf,
  PUBLIC_POLICY_ID,
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

describe('normalizeAccess: the bootstrap admin and public links', () => {
  it('recognises the bootstrap admin by its values, not by its name alone', () => {
    const lookalike = { id: 'r-0', name: 'Administrator', description: 'made by hand' };
    expect(findBootstrapAdmin([lookalike, adminRole], [{ ...adminPolicy, admin_access: false }])).toEqual({
      role: 'r-admin',
      policy: null,
    });
    expect(findBootstrapAdmin([], [])).toEqual({ role: null, policy: null });
  });

  it('names a role nested under the admin role by the token, and resolves it back', () => {
    const nested = { id: 'r-lead', name: 'Lead', parent: 'r-admin' };
    const access = normalizeAccess({ roles: [adminRole, nested, agents], policies: [], permissions: [], access: [] });
    expect(access.roles).toEqual([
      { id: 'r-agent', name: 'Agent', icon: 'x', description: null, parent: null },
      { id: 'r-lead', name: 'Lead', icon: null, description: null, parent: BOOTSTRAP_ADMIN },
    ]);
    const resolved = resolveBootstrapAdmin(access, { role: 'local-admin', policy: null });
    expect(resolved.roles.map((row) => row.parent)).toEqual([null, 'local-admin']);
  });

  it('keeps a public link (no role, no user) and sorts it first', () => {
    const access = normalizeAccess({
      roles: [agents],
      policies: [agentPolicy, { id: PUBLIC_POLICY_ID, name: '$t:public_label' }],
      permissions: [],
      access: [
        { id: 'a2', role: 'r-agent', user: null, policy: 'p-agent', sort: 1 },
        { id: 'a1', role: null, user: null, policy: PUBLIC_POLICY_ID, sort: 1 },
      ],
    });
    expect(access.access).toEqual([
      { role: null, policy: PUBLIC_POLICY_ID, sort: 1 },
      { role: 'r-agent', policy: 'p-agent', sort: 1 },
    ]);
    expect(access.access.map(accessKey)).toEqual([`public/${PUBLIC_POLICY_ID}`, 'r-agent/p-agent']);
  });
});

describe('normalizeFlows: order', () => {
  it('orders flows by id and operations by flow then id', () => {
    const flows = normalizeFlows({
      flows: [
        { id: 'f2', name: 'B' },
        { id: 'f1', name: 'A' },
      ],
      operations: [
        { id: 'o3', flow: 'f2' },
        { id: 'o2', flow: 'f1' },
        { id: 'o1', flow: 'f2' },
      ],
    });
    expect(flows.flows.map((row) => row.id)).toEqual(['f1', 'f2']);
    expect(flows.operations.map((row) => row.id)).toEqual(['o2', 'o1', 'o3']);
  });
});

describe('configuration data', () => {
  const schema = normalizeSchema({
    fields: [
      { collection: 'notification_rules', field: 'id', schema: { is_primary_key: true } },
      { collection: 'notification_rules', field: 'event', schema: { is_primary_key: false } },
      { collection: 'pages', field: 'slug', schema: null },
    ],
  });

  it('finds the primary key of a configuration collection, or says which one has none', () => {
    expect(schema.version).toBe(1);
    expect(schema.systemFields).toEqual([]);
    expect(primaryKeyOf(schema, 'notification_rules')).toBe('id');
    expect(() => primaryKeyOf(schema, 'pages')).toThrow('"pages" is not in the schema or has no primary key');
    expect(() => primaryKeyOf(schema, 'missing')).toThrow('"missing"');
  });

  it('orders rows by primary key and their keys alphabetically, whatever the database returned', () => {
    const rows = normalizeData(
      [
        { id: 'b', event: 'x', options: { z: 1, a: 2 } },
        { event: 'y', id: 'a' },
      ],
      'id',
    );
    expect(JSON.stringify(rows)).toBe('[{"event":"y","id":"a"},{"event":"x","id":"b","options":{"a":2,"z":1}}]');
  });
});

describe('sortRows', () => {
  it('compares keys as text with nulls first, so the order never depends on the database', () => {
    const rows = [
      { role: 'r-b', id: 2 },
      { role: null, id: 10 },
      { role: 'r-a', id: 1 },
      { role: 'r-a', id: 1 },
    ];
    expect(sortRows(rows, (row) => [row.role, row.id]).map((row) => `${row.role}:${row.id}`)).toEqual([
      'null:10',
      'r-a:1',
      'r-a:1',
      'r-b:2',
    ]);
    // Text, not numbers: 10 before 2, the same on every database.
    expect(sortRows([{ id: 2 }, { id: 10 }], (row) => [row.id]).map((row) => row.id)).toEqual([10, 2]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { changedPaths, describeChanges, diffStates, summarizeChanges } from './diff.js';
import type { VersionState } from './state.js';

const base: VersionState = {
  schema: {
    version: 1,
    collections: [{ collection: 'tickets' }],
    fields: [{ collection: 'tickets', field: 'subject', meta: { note: null } }],
    systemFields: [],
    relations: [],
  },
  access: {
    roles: [],
    policies: [{ id: 'p1', name: 'Agent' }],
    permissions: [{ policy: 'p1', collection: 'tickets', action: 'read' }],
    access: [],
  },
  flows: { flows: [], operations: [] },
  insights: { dashboards: [], panels: [] },
  data: {},
  settings: { settings: {}, presets: [] },
};

describe('diffStates', () => {
  it('names what was added, changed and removed, with the changed paths', () => {
    const next: VersionState = {
      ...base,
      schema: {
        ...base.schema,
        fields: [
          { collection: 'tickets', field: 'priority', meta: null },
          { collection: 'tickets', field: 'subject', meta: { note: 'Short summary' } },
        ],
      },
      access: { ...base.access, permissions: [] },
      flows: { flows: [{ id: 'f1', name: 'Notify agents' }], operations: [] },
    };
    const lines = describeChanges(diffStates(base, next));
    expect(lines).toEqual([
      '+ field tickets.priority',
      '~ field tickets.subject (meta.note)',
      '- permission Agent: tickets read',
      '+ flow Notify agents',
    ]);
    expect(summarizeChanges(diffStates(base, next))).toBe(
      'field: 1 added, 1 changed; permission: 1 removed; flow: 1 added',
    );
  });

  it('finds nothing between equal states, whatever the key order', () => {
    expect(diffStates(base, structuredClone(base))).toEqual([]);
    const reordered = { ...base, access: { ...base.access, policies: [{ name: 'Agent', id: 'p1' }] } };
    expect(diffStates(base, reordered)).toEqual([]);
    expect(summarizeChanges([])).toBe('no changes');
  });
});

describe('diffStates: every area, named as a reviewer reads it', () => {
  const agentRole = { id: 'r1', name: 'Agent', parent: null };
  const before: VersionState = {
    ...base,
    schema: {
      ...base.schema,
      systemFields: [{ collection: 'directus_users', field: 'email', meta: { note: null } }],
      relations: [{ collection: 'tickets', field: 'subject', related_collection: null }],
    },
    access: {
      ...base.access,
      roles: [agentRole],
      access: [{ role: null, policy: 'p1', sort: 1 }],
    },
    flows: { flows: [{ id: 'f1', name: 'Notify agents' }], operations: [{ id: 'o1', key: 'log', flow: 'f1' }] },
    data: { notification_rules: [{ id: 1, event: 'ticket.created' }], pages: [{ slug: 'home', title: 'Home' }] },
  };

  it('labels collections, system fields, relations, roles, access links, operations and data rows', () => {
    const after: VersionState = {
      ...before,
      schema: {
        ...before.schema,
        collections: [{ collection: 'organizations' }],
        systemFields: [{ collection: 'directus_users', field: 'email', meta: { note: 'Sign-in address' } }],
        relations: [
          { collection: 'tickets', field: 'organization', related_collection: 'organizations' },
          { collection: 'tickets', field: 'subject', related_collection: null, meta: { one_field: null } },
        ],
      },
      access: {
        ...before.access,
        roles: [{ ...agentRole, name: 'Agents' }],
        access: [
          { role: 'r1', policy: 'p1', sort: 1 },
          { role: null, policy: 'p1', sort: 2 },
        ],
      },
      flows: { flows: before.flows.flows, operations: [{ id: 'o1', key: 'log', flow: 'f1', options: { level: 'info' } }] },
      data: {
        notification_rules: [
          { id: 1, event: 'ticket.updated' },
          { id: 2, event: 'ticket.closed' },
        ],
        audit_filters: [{ id: 'a', pattern: '*' }],
        pages: [{ slug: 'home', title: 'Start' }],
      },
    };
    expect(describeChanges(diffStates(before, after))).toEqual([
      '+ collection organizations',
      '- collection tickets',
      '~ system field directus_users.email (meta.note)',
      '+ relation tickets.organization → organizations',
      '~ relation tickets.subject (meta)',
      '~ role Agents (name)',
      // The role is named from either state; a missing role or policy (null) is the public one.
      '+ access Agents → Agent',
      '~ access public → Agent (sort)',
      '~ operation Notify agents: log (options)',
      '+ data audit_filters a',
      '~ data notification_rules 1 (event)',
      '+ data notification_rules 2',
      // A row without an id is identified by all its values: an edit reads as one row out, one in.
      '+ data pages {"slug":"home","title":"Start"}',
      '- data pages {"slug":"home","title":"Home"}',
    ]);
  });

  it('reports a removed collection of configuration data row by row', () => {
    const after = { ...before, data: { pages: before.data.pages! } };
    expect(describeChanges(diffStates(before, after))).toEqual(['- data notification_rules 1']);
  });

  it('names a permission of a policy it cannot find by its id, and presets by collection, bookmark and role', () => {
    const withPresets: VersionState = {
      ...base,
      access: { ...base.access, permissions: [{ policy: 'p-gone', collection: 'tickets', action: 'read' }] },
      settings: {
        settings: { project_name: 'Desk' },
        presets: [
          { collection: 'tickets', role: 'r1', bookmark: 'Open', layout: 'tabular' },
          { collection: 'tickets', role: null, bookmark: null, layout: 'tabular' },
        ],
      },
    };
    const after: VersionState = {
      ...withPresets,
      access: { ...withPresets.access, roles: [{ id: 'r1', name: 'Agent' }] },
      settings: {
        settings: { project_name: 'Service desk' },
        presets: [
          { collection: 'tickets', role: 'r1', bookmark: 'Open', layout: 'cards' },
          { collection: 'tickets', role: null, bookmark: null, layout: 'tabular' },
        ],
      },
    };
    expect(describeChanges(diffStates(base, withPresets))).toEqual([
      '+ permission p-gone: tickets read',
      '- permission Agent: tickets read',
      '+ setting project_name',
      '+ preset tickets "Open" for r1',
      '+ preset tickets default for everyone',
    ]);
    expect(describeChanges(diffStates(withPresets, after))).toEqual([
      '+ role Agent',
      '~ setting project_name (value)',
      '~ preset tickets "Open" for Agent (layout)',
    ]);
  });
});

describe('changedPaths', () => {
  it('descends into objects and stops at arrays', () => {
    expect(changedPaths({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [2] } })).toEqual(['a.b', 'a.c']);
  });

  it('stops at three levels, and names a top-level value that is not an object', () => {
    expect(changedPaths({ a: { b: { c: { d: 1 } } } }, { a: { b: { c: { d: 2 } } } })).toEqual(['a.b.c']);
    expect(changedPaths([1], [2])).toEqual(['(value)']);
    expect(changedPaths('a', { a: 1 })).toEqual(['(value)']);
    expect(changedPaths({ a: 1 }, { a: 1 })).toEqual([]);
  });

  it('names a key that appears or disappears even when its value is null', () => {
    expect(changedPaths({ meta: { note: 'x' } }, { meta: { note: 'x', searchable: null } })).toEqual([
      'meta.searchable',
    ]);
    expect(changedPaths({ a: 1, b: null }, { a: 1 })).toEqual(['b']);
  });
});

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

describe('changedPaths', () => {
  it('descends into objects and stops at arrays', () => {
    expect(changedPaths({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [2] } })).toEqual(['a.b', 'a.c']);
  });
});

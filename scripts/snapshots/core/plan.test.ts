import { describe, expect, it } from '@jest/globals';
import { planSteps, schemaContains, type PendingVersion, type SchemaFile } from './plan.js';

const varchar = { data_type: 'character varying', is_nullable: true, max_length: 255 };
const tickets: SchemaFile = {
  collections: [{ collection: 'tickets', schema: { name: 'tickets' }, meta: { icon: 'a' } }],
  fields: [{ collection: 'tickets', field: 'subject', type: 'string', schema: varchar, meta: { note: null } }],
  relations: [],
};
const withOrganizations: SchemaFile = {
  collections: [...tickets.collections, { collection: 'organizations', schema: { name: 'organizations' } }],
  fields: [
    ...tickets.fields,
    { collection: 'tickets', field: 'organization', type: 'uuid', schema: { data_type: 'uuid' } },
  ],
  relations: [
    {
      collection: 'tickets',
      field: 'organization',
      related_collection: 'organizations',
      schema: { on_delete: 'SET NULL' },
    },
  ],
};

const version = (folder: string, schema: SchemaFile, hasDataMigration = false): PendingVersion => ({
  folder,
  schema,
  hasDataMigration,
});

describe('schemaContains', () => {
  it('holds for the same schema, for additions, and when only presentation (meta) differs', () => {
    expect(schemaContains(tickets, tickets)).toBe(true);
    expect(schemaContains(withOrganizations, tickets)).toBe(true);
    const restyled = {
      ...tickets,
      collections: [{ ...tickets.collections[0], meta: { icon: 'b' } }],
      fields: [{ ...tickets.fields[0], meta: { note: 'new note' } }],
    };
    expect(schemaContains(restyled, tickets)).toBe(true);
  });

  it('fails when a collection, field or relation is gone or its table/column definition changed', () => {
    expect(schemaContains(tickets, withOrganizations)).toBe(false);
    const retyped = { ...tickets, fields: [{ ...tickets.fields[0], type: 'text' }] };
    expect(schemaContains(retyped, tickets)).toBe(false);
    const required = { ...tickets, fields: [{ ...tickets.fields[0], schema: { ...varchar, is_nullable: false } }] };
    expect(schemaContains(required, tickets)).toBe(false);
    const renamedTable = { ...tickets, collections: [{ collection: 'tickets', schema: { name: 'other' } }] };
    expect(schemaContains(renamedTable, tickets)).toBe(false);
    const cascading = {
      ...withOrganizations,
      relations: [{ ...withOrganizations.relations[0], schema: { on_delete: 'CASCADE' } }],
    };
    expect(schemaContains(cascading, withOrganizations)).toBe(false);
    const retargeted = {
      ...withOrganizations,
      relations: [{ ...withOrganizations.relations[0], related_collection: 'tickets' }],
    };
    expect(schemaContains(retargeted, withOrganizations)).toBe(false);
  });

  it('treats a missing schema part as null on both sides', () => {
    const folder = { collections: [{ collection: 'folder' }], fields: [], relations: [] };
    expect(schemaContains(folder, folder)).toBe(true);
    expect(schemaContains({ ...folder, collections: [{ collection: 'folder', schema: {} }] }, folder)).toBe(false);
  });
});

describe('planSteps', () => {
  it('has nothing to do without pending versions', () => {
    expect(planSteps([])).toEqual([]);
  });

  it('applies the latest schema once when every data migration fits it; superseded states are not written', () => {
    const steps = planSteps([
      version('0001-a', tickets),
      version('0002-b', tickets, true),
      version('0003-c', withOrganizations),
      version('0004-d', withOrganizations),
    ]);
    expect(steps).toEqual([
      {
        schemaOf: '0004-d',
        versions: [
          { folder: '0001-a', writeState: false, runDataMigration: false },
          { folder: '0002-b', writeState: true, runDataMigration: true },
          { folder: '0003-c', writeState: false, runDataMigration: false },
          { folder: '0004-d', writeState: true, runDataMigration: false },
        ],
      },
    ]);
  });

  it('gives a data migration whose schema the latest lacks its own step, and every data migration before it', () => {
    const steps = planSteps([
      version('0001-a', tickets, true),
      version('0002-b', withOrganizations),
      version('0003-c', withOrganizations, true),
      version('0004-d', tickets, true),
      version('0005-e', tickets),
    ]);
    expect(steps.map((step) => [step.schemaOf, step.versions.map((v) => v.folder)])).toEqual([
      ['0001-a', ['0001-a']],
      ['0003-c', ['0002-b', '0003-c']],
      ['0005-e', ['0004-d', '0005-e']],
    ]);
    expect(steps[1]?.versions).toEqual([
      { folder: '0002-b', writeState: false, runDataMigration: false },
      { folder: '0003-c', writeState: true, runDataMigration: true },
    ]);
  });

  it('a single pending version is one step with its own schema and state', () => {
    expect(planSteps([version('0007-g', tickets, true)])).toEqual([
      { schemaOf: '0007-g', versions: [{ folder: '0007-g', writeState: true, runDataMigration: true }] },
    ]);
  });
});

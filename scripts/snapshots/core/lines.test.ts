import { describe, expect, it } from '@jest/globals';
import {
  alignDataRows,
  columnDefaults,
  combinedSchema,
  isPlatformFile,
  lineProblems,
  orderLineSteps,
  ownedPart,
  platformCollections,
  platformState,
} from './lines.js';
import type { SchemaSnapshot } from './state.js';

const collection = (name: string) => ({ collection: name, meta: { icon: 'box' }, schema: { name } });
const field = (name: string, field: string) => ({ collection: name, field, type: 'string' });
const relation = (name: string, field: string, related: string) => ({ collection: name, field, related_collection: related });

const whole: SchemaSnapshot & { directus: string } = {
  version: 1,
  directus: '11.17.4',
  collections: [collection('workflow_history'), collection('tickets')],
  fields: [field('workflow_history', 'actor'), field('tickets', 'subject'), field('directus_users', 'organization')],
  systemFields: [{ collection: 'directus_activity', field: 'timestamp', schema: { is_indexed: true } }],
  relations: [relation('workflow_history', 'actor', 'directus_users'), relation('tickets', 'history', 'workflow_history')],
};
const platform = new Set(['workflow_history']);

describe('ownedPart', () => {
  it('gives the platform its collections with their fields and relations, and the system fields', () => {
    const part = ownedPart(whole, 'platform', platform);
    expect(part.collections.map((row) => row.collection)).toEqual(['workflow_history']);
    expect(part.fields).toEqual([field('workflow_history', 'actor')]);
    expect(part.relations).toEqual([relation('workflow_history', 'actor', 'directus_users')]);
    expect(part.systemFields).toEqual(whole.systemFields);
    expect(part.directus).toBe('11.17.4');
  });

  it('gives the domain everything else, its fields on system collections and its relations to platform ones', () => {
    const part = ownedPart(whole, 'domain', platform);
    expect(part.collections.map((row) => row.collection)).toEqual(['tickets']);
    expect(part.fields).toEqual([field('tickets', 'subject'), field('directus_users', 'organization')]);
    expect(part.relations).toEqual([relation('tickets', 'history', 'workflow_history')]);
    expect(part.systemFields).toEqual([]);
  });

  it('splits a schema into parts that add up to the whole', () => {
    const again = combinedSchema(ownedPart(whole, 'platform', platform), ownedPart(whole, 'domain', platform));
    const sorted = (rows: object[]) => rows.map((row) => JSON.stringify(row)).sort();
    for (const key of ['collections', 'fields', 'relations', 'systemFields'] as const) {
      expect(sorted(again[key])).toEqual(sorted(whole[key]));
    }
  });
});

describe('platformCollections', () => {
  it('keeps a collection an earlier platform version defined, so a later drop is still the platform’s', () => {
    const owned = platformCollections([{ collections: [collection('a'), collection('b')] }, { collections: [collection('a')] }]);
    expect([...owned].sort()).toEqual(['a', 'b']);
  });
});

describe('lineProblems', () => {
  it('refuses rows in a platform version', () => {
    expect(isPlatformFile('migrate-notifications.ts')).toBe(true);
    expect(lineProblems('platform', 'p/0002-x', ['schema.json', 'migrate.ts', 'manifest.json'], whole, platform)).toEqual([]);
    const [problem] = lineProblems('platform', 'p/0002-x', ['schema.json', 'access.json', 'data/rules.json'], whole, platform);
    expect(problem).toContain('access.json, data/rules.json');
  });

  it('refuses a domain version that defines a platform collection or system fields', () => {
    const problems = lineProblems('domain', 's/0006-x', ['schema.json'], whole, platform);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('workflow_history');
    expect(problems[1]).toContain('systemFields');
    expect(lineProblems('domain', 's/0006-x', ['schema.json'], ownedPart(whole, 'domain', platform), platform)).toEqual([]);
  });
});

describe('orderLineSteps', () => {
  it('joins the platform’s last step and the domain’s first into one transaction', () => {
    expect(orderLineSteps(['p1', 'p2'], ['d1', 'd2'])).toEqual([
      { part: 'platform', steps: [{ line: 'platform', step: 'p1' }] },
      {
        part: 'both',
        steps: [
          { line: 'platform', step: 'p2' },
          { line: 'domain', step: 'd1' },
        ],
      },
      { part: 'domain', steps: [{ line: 'domain', step: 'd2' }] },
    ]);
  });

  it('keeps each line to its own part when only one has work', () => {
    expect(orderLineSteps(['p1'], [])).toEqual([{ part: 'platform', steps: [{ line: 'platform', step: 'p1' }] }]);
    expect(orderLineSteps([], ['d1'])).toEqual([{ part: 'domain', steps: [{ line: 'domain', step: 'd1' }] }]);
    expect(orderLineSteps([], [])).toEqual([]);
  });
});

describe('platformState', () => {
  it('holds the schema and empty rows', () => {
    const state = platformState(ownedPart(whole, 'platform', platform));
    expect(state.access.permissions).toEqual([]);
    expect(state.flows.flows).toEqual([]);
    expect(state.data).toEqual({});
  });
});

describe('alignDataRows', () => {
  const schema = {
    fields: [
      { collection: 'rules', field: 'id', schema: { default_value: null } },
      { collection: 'rules', field: 'locale', schema: { default_value: 'en' } },
      { collection: 'rules', field: 'note', schema: null },
      { collection: 'other', field: 'locale', schema: { default_value: 'fr' } },
    ],
  };

  it('reads each column default of one collection', () => {
    expect(columnDefaults(schema, 'rules')).toEqual(
      new Map<string, unknown>([
        ['id', null],
        ['locale', 'en'],
        ['note', null],
      ]),
    );
  });

  it('leaves out a column the version does not list while it holds its default, and keeps everything else', () => {
    const rows = [
      { id: 'a', template: null, locale: 'en', note: null },
      { id: 'b', template: 'x', locale: 'de', note: 'set' },
    ];
    expect(alignDataRows(rows, new Set(['id', 'template']), columnDefaults(schema, 'rules'))).toEqual([
      { id: 'a', template: null },
      { id: 'b', template: 'x', locale: 'de', note: 'set' },
    ]);
  });
});

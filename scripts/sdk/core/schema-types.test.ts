import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { generateSchemaTypes, typeName, type SchemaSnapshot } from './schema-types.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../../tests/fixtures/sdk/schema.json', import.meta.url), 'utf8'),
) as SchemaSnapshot;

describe('generateSchemaTypes', () => {
  const output = generateSchemaTypes(fixture, 'tests/fixtures/sdk/schema.json');

  it('types scalars, nullability and primary keys', () => {
    expect(output).toContain('export interface Tickets {');
    expect(output).toContain('  id: string;');
    expect(output).toContain('  subject: string;');
    expect(output).toContain('  priority: number | null;');
    expect(output).toContain('  tags: unknown | null;');
  });

  it('types relations both ways, and system relations with the SDK types', () => {
    expect(output).toContain('  organization: number | Organizations | null;');
    expect(output).toContain('  tickets: Array<string | Tickets>;');
    expect(output).toContain('  requester: string | DirectusUser<Schema> | null;');
  });

  it('leaves out presentation-only fields and lists singletons without an array', () => {
    expect(output).not.toContain('divider');
    expect(output).toContain('  desk_settings: DeskSettings;');
    expect(output).toContain('  tickets: Tickets[];');
  });

  it('leaves out navigation folders (collections without a table)', () => {
    const withFolder = {
      ...fixture,
      collections: [...fixture.collections, { collection: 'desk_folder', meta: { singleton: false } }],
    };
    const typed = generateSchemaTypes(withFolder, 'tests/fixtures/sdk/schema.json');
    expect(typed).toBe(output);
    expect(typed).not.toContain('desk_folder');
  });

  it('is deterministic whatever the order of the snapshot', () => {
    const shuffled = {
      ...fixture,
      fields: [...fixture.fields].reverse(),
      collections: [...fixture.collections].reverse(),
    };
    expect(generateSchemaTypes(shuffled, 'tests/fixtures/sdk/schema.json')).toBe(output);
  });

  it('quotes a field or collection name that is not a TypeScript identifier', () => {
    const output = generateSchemaTypes(
      {
        collections: [{ collection: 'audit-log' }],
        fields: [
          { collection: 'audit-log', field: 'id', type: 'integer', schema: { is_primary_key: true } },
          { collection: 'audit-log', field: 'created-by', type: 'string', schema: { is_nullable: false } },
          { collection: 'audit-log', field: '2fa_used', type: 'boolean' },
        ],
        relations: [],
      },
      'inline',
    );
    expect(output).toContain('  "created-by": string;');
    expect(output).toContain('  "2fa_used": boolean | null;');
    expect(output).toContain('  "audit-log": AuditLog[];');
  });

  it('falls back to safe types: string keys, unknown for a type it does not know', () => {
    const output = generateSchemaTypes(
      {
        collections: [{ collection: 'notes' }, { collection: 'tags' }, { collection: 'shapes' }],
        fields: [
          // `tags` has no primary key field in the snapshot, `shapes` one of a type not in the map.
          { collection: 'tags', field: 'label', type: 'string' },
          { collection: 'shapes', field: 'code', type: 'point', schema: { is_primary_key: true } },
          { collection: 'notes', field: 'id', type: 'uuid', schema: { is_primary_key: true } },
          { collection: 'notes', field: 'tag', type: 'string' },
          { collection: 'notes', field: 'shape', type: 'string' },
          { collection: 'notes', field: 'activity', type: 'integer' },
          { collection: 'notes', field: 'area', type: 'vector' },
        ],
        relations: [
          { collection: 'notes', field: 'tag', related_collection: 'tags' },
          { collection: 'notes', field: 'shape', related_collection: 'shapes' },
          // A system collection the SDK has no type for: its key, untyped.
          { collection: 'notes', field: 'activity', related_collection: 'directus_activity' },
        ],
      },
      'inline',
    );
    expect(output).toContain('  tag: string | Tags | null;');
    expect(output).toContain('  shape: string | Shapes | null;');
    expect(output).toContain('  activity: string | null;');
    expect(output).toContain('  area: unknown | null;');
    expect(output).toContain('  code: unknown;');
  });

  it('names types in PascalCase', () => {
    expect(typeName('kb_articles')).toBe('KbArticles');
    expect(typeName('ticket-messages')).toBe('TicketMessages');
  });
});

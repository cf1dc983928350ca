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

  it('is deterministic whatever the order of the snapshot', () => {
    const shuffled = {
      ...fixture,
      fields: [...fixture.fields].reverse(),
      collections: [...fixture.collections].reverse(),
    };
    expect(generateSchemaTypes(shuffled, 'tests/fixtures/sdk/schema.json')).toBe(output);
  });

  it('names types in PascalCase', () => {
    expect(typeName('kb_articles')).toBe('KbArticles');
    expect(typeName('ticket-messages')).toBe('TicketMessages');
  });
});

import { describe, expect, it } from '@jest/globals';
import { IDENTITY_ON_READ, readProcessingNeeded, type FieldShape } from './read-processing.js';

// 11.17.4's transformer names (PayloadService.transformers).
const transformers = [...IDENTITY_ON_READ, 'cast-boolean', 'cast-json', 'conceal', 'cast-csv', 'encrypt'];
const fields: Record<string, FieldShape> = {
  id: { type: 'uuid', special: ['uuid'] },
  number: { type: 'integer', special: null },
  subject: { type: 'string' },
  organization: { type: 'uuid', special: ['m2o'] },
  created_by: { type: 'uuid', special: ['user-created'] },
  created_at: { type: 'timestamp', special: ['date-created'] },
  due_on: { type: 'date' },
  starts: { type: 'dateTime' },
  opens: { type: 'time' },
  area: { type: 'geometry.Polygon' },
  flag: { type: 'boolean', special: ['cast-boolean'] },
  tags: { type: 'csv', special: ['cast-csv'] },
  data: { type: 'json', special: ['cast-json'] },
  token: { type: 'string', special: ['conceal'] },
  secret: { type: 'string', special: ['encrypt'] },
  future: { type: 'string', special: ['some-new-transformer'] },
};
const fieldOf = (key: string) => fields[key];

describe('readProcessingNeeded', () => {
  it('is false for plain columns, m2o keys and specials that give the value back on read', () => {
    expect(readProcessingNeeded(['id', 'number', 'subject', 'organization', 'created_by'], fieldOf, transformers)).toBe(
      false,
    );
  });
  it('is false for keys the schema does not know (processValues reads the schema fields only)', () => {
    expect(readProcessingNeeded(['id', 'not_a_field'], fieldOf, transformers)).toBe(false);
  });
  it.each(['created_at', 'due_on', 'starts', 'opens', 'area'])(
    'is true for %s (dates and geometries are converted)',
    (key) => {
      expect(readProcessingNeeded(['id', key], fieldOf, transformers)).toBe(true);
    },
  );
  it.each(['flag', 'tags', 'data', 'token', 'secret'])('is true for %s (a transformer that acts on read)', (key) => {
    expect(readProcessingNeeded(['id', key], fieldOf, transformers)).toBe(true);
  });
  it('is true for a transformer it does not know, false for a special that names none', () => {
    expect(readProcessingNeeded(['future'], fieldOf, [...transformers, 'some-new-transformer'])).toBe(true);
    expect(readProcessingNeeded(['future'], fieldOf, transformers)).toBe(false);
  });
  it('is true with an alias or an aggregate', () => {
    expect(readProcessingNeeded(['id'], fieldOf, transformers, { alias: { a: 'id' } })).toBe(true);
    expect(readProcessingNeeded(['id'], fieldOf, transformers, { aggregate: { count: ['*'] } })).toBe(true);
    expect(readProcessingNeeded(['id'], fieldOf, transformers, { alias: null, aggregate: {} })).toBe(false);
  });
});

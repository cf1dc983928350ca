// The reports version's definitions are written by its data migration (a self-contained copy): they must be valid
// platform report definitions over the rollups' own fields.
import { describe, expect, it } from '@jest/globals';
import { validateDefinitions } from '../../../platform/src/reports/core/definition.js';
import { reportDefinitions } from './migrate.js';
import { rollupCollections } from './rollups.js';

describe('reports version', () => {
  it('its definitions are valid platform report definitions', () => {
    const checked = validateDefinitions(reportDefinitions.map((definition) => ({ name: definition.name, definition })));
    expect(checked).toMatchObject({ ok: true });
  });

  it.each(reportDefinitions.map((definition) => [definition.name, definition] as const))(
    '%s names only fields of its rollup',
    (_name, definition) => {
      const spec = rollupCollections.find((candidate) => candidate.collection === definition.collection);
      const fields = new Set(spec?.fields.map((field) => field.field));
      const named = [
        definition.date_field,
        ...definition.dimensions,
        ...definition.measures,
        ...(('split_by' in definition ? definition.split_by : undefined) ?? []),
        ...('bucket_field' in definition ? [definition.bucket_field] : []),
      ];
      expect(named.filter((field) => !fields.has(field))).toEqual([]);
    },
  );
});

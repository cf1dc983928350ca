import { describe, expect, it } from '@jest/globals';
import { chooseCollections } from './collections.js';
import { validateSearchConfig } from './config.js';
import { documentExpression, documentTable } from './sql.js';

const tickets = {
  collection: 'tickets',
  language: 'english',
  fields: [
    { field: 'subject', weight: 'A', typo: true },
    { field: 'description', weight: 'B' },
  ],
  result_fields: ['subject'],
  facet_field: 'status',
};

describe('search configuration', () => {
  it('accepts a valid row', () => {
    expect(validateSearchConfig([tickets])).toEqual({ ok: true, configs: [tickets] });
  });

  it('refuses names and languages that could not be written into SQL safely, and duplicate fields', () => {
    for (const bad of [
      { ...tickets, collection: 'Tickets' },
      { ...tickets, collection: 'tickets"; drop table x; --' },
      { ...tickets, language: "english'::regconfig" },
      { ...tickets, fields: [] },
      { ...tickets, fields: [{ field: 'subject', weight: 'E' }] },
      { ...tickets, fields: [{ field: 'sub ject', weight: 'A' }] },
      { ...tickets, fields: [tickets.fields[0], tickets.fields[0]] },
      { ...tickets, result_fields: ['a-b'] },
      { ...tickets, extra: true },
      null,
    ]) {
      const result = validateSearchConfig([tickets, bad]);
      expect(result.ok).toBe(false);
    }
  });

  it('names the row that is wrong', () => {
    expect(validateSearchConfig([{ ...tickets, language: 'EN' }])).toMatchObject({
      ok: false,
      problems: [{ collection: 'tickets' }],
    });
  });
});

describe('search SQL', () => {
  // A hyphen between a letter or digit and a digit is a space to the search (decision 0080).
  const twice = `'([[:alnum:]])-([[:digit:]])', '\\1 \\2', 'g'`;
  const searchable = (column: string) =>
    `regexp_replace(regexp_replace(coalesce(${column}::text, ''), ${twice}), ${twice})`;

  it('builds the weighted document, optionally from the readable fields only', () => {
    expect(documentExpression(tickets as never)).toBe(
      `setweight(to_tsvector('english'::regconfig, ${searchable('"subject"')}), 'A') || ` +
        `setweight(to_tsvector('english'::regconfig, ${searchable('"description"')}), 'B')`,
    );
    expect(documentExpression(tickets as never, (field) => `p."${field}"`, new Set(['description']))).toBe(
      `setweight(to_tsvector('english'::regconfig, ${searchable('p."description"')}), 'B')`,
    );
    expect(documentExpression(tickets as never, undefined, new Set())).toBeNull();
  });

  it('names the document table', () => {
    expect(documentTable('tickets')).toBe('search_document_tickets');
    expect(documentTable('x'.repeat(80))).toHaveLength(63);
  });
});

describe('chooseCollections', () => {
  const configured = ['tickets', 'kb_articles'];
  it('defaults to every configured collection and takes a comma-separated subset', () => {
    expect(chooseCollections(undefined, configured)).toEqual({ ok: true, collections: ['kb_articles', 'tickets'] });
    expect(chooseCollections(' tickets,tickets ', configured)).toEqual({ ok: true, collections: ['tickets'] });
  });
  it('refuses unknown or no collections', () => {
    expect(chooseCollections('tickets,directus_users', configured)).toEqual({
      ok: false,
      reason: 'not searchable: directus_users',
    });
    expect(chooseCollections(',', configured).ok).toBe(false);
  });
});

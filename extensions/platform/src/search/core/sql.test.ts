import { describe, expect, it } from '@jest/globals';
import { parseSearchQuery } from './query.js';
import { searchQuerySql } from './sql.js';

const parsed = (input: string) => {
  const result = parseSearchQuery(input);
  if (!result.ok) throw new Error(result.reason);
  return result.query;
};
const inEnglish = "to_tsquery('english'::regconfig, ?)";
const simple = "to_tsquery('simple'::regconfig, ?)";

describe('searchQuerySql', () => {
  it('is the language query alone when no word is being typed', () => {
    const sql = searchQuerySql('english', parsed('printer jam '));
    expect(sql.tsquery).toEqual({ sql: inEnglish, bindings: ["'printer' & 'jam'"] });
    expect(sql.match('d.document', 'p.text')).toEqual({
      sql: `d.document @@ ${inEnglish}`,
      bindings: ["'printer' & 'jam'"],
    });
  });

  it('ORs the typed word unstemmed (simple) onto the stemmed query, in the configured language', () => {
    const sql = searchQuerySql('german', parsed('ab'));
    expect(sql.tsquery).toEqual({
      sql: `(to_tsquery('german'::regconfig, ?) || ${simple})`,
      bindings: ["'ab':*", "'ab':*"],
    });
    expect(sql.match('doc', 'text').sql).toBe(`doc @@ ${sql.tsquery.sql}`);
  });

  it('keeps the unstemmed word and its stems within its AND group', () => {
    const sql = searchQuerySql('english', parsed('refund or printer runn'));
    const main = `(${inEnglish} || (${inEnglish} && ${simple}))`;
    const stems = `(${inEnglish} && ${simple})`;
    expect(sql.tsquery).toEqual({
      sql: `(${main} || ${stems})`,
      bindings: ["'refund' | 'printer' & 'runn':*", "'printer'", "'runn':*", "'printer'", "'run'"],
    });
  });

  it("counts a shorter stem only where the text has a word starting with what was typed ('organiz' is not 'organ')", () => {
    const sql = searchQuerySql('english', parsed('runn'));
    expect(sql.match('doc', 'text')).toEqual({
      sql:
        `(doc @@ (${inEnglish} || ${simple}) or (doc @@ ${simple} and strpos(lower(text), lower(?)) > 0 and ` +
        `to_tsvector('simple'::regconfig, text) @@ ${simple}))`,
      bindings: ["'runn':*", "'runn':*", "'run'", 'runn', "'runn':*"],
    });
  });
});

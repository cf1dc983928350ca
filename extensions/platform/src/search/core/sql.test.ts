import { describe, expect, it } from '@jest/globals';
import { parseSearchQuery } from './query.js';
import { searchQuerySql, typoTsquery } from './sql.js';

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

describe('typoTsquery', () => {
  it('lets each word be itself or a similar word of the typo fields (by their weights), ANDed', () => {
    expect(
      typoTsquery(
        [
          { word: 'pasword', own: "'pasword'", similar: ['password', 'passport'] },
          { word: 'reset', own: "'reset'", similar: [] },
        ],
        'A',
      ),
    ).toBe("(('pasword') | 'password':A | 'passport':A) & (('reset'))");
  });

  it('leaves out a stop word, as the exact query does', () => {
    expect(
      typoTsquery(
        [
          { word: 'the', own: '', similar: ['theme'] },
          { word: 'tonr', own: "'tonr'", similar: ['toner'] },
        ],
        'AB',
      ),
    ).toBe("(('tonr') | 'toner':AB)");
  });

  it('is null when no word has a similar word: typo tolerance would find nothing new', () => {
    expect(typoTsquery([{ word: 'zzzq', own: "'zzzq'", similar: [] }], 'A')).toBeNull();
    expect(typoTsquery([{ word: 'the', own: '', similar: ['theme'] }], 'A')).toBeNull();
  });

  it('quotes a stored word so it stays one lexeme, whatever it holds', () => {
    const query = typoTsquery([{ word: 'obrien', own: "'obrien'", similar: ["o'brien", 'a\\b'] }], 'A');
    expect(query).toBe("(('obrien') | 'o''brien':A | 'a\\\\b':A)");
  });
});

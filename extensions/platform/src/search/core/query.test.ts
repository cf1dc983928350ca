import { describe, expect, it } from '@jest/globals';
import { MAX_QUERY_LENGTH, parseSearchQuery, stemsWithin } from './query.js';

const tsquery = (input: string) => {
  const result = parseSearchQuery(input);
  if (!result.ok) throw new Error(result.reason);
  return result.query;
};

describe('parseSearchQuery', () => {
  it('ANDs words and matches the last one as a prefix while it is being typed', () => {
    expect(tsquery('printer jam')).toEqual({
      tsquery: "'printer' & 'jam':*",
      words: ['printer', 'jam'],
      exclusions: null,
      prefix: { word: 'jam', typed: "'jam':*", stems: null, others: "'printer'" },
    });
    expect(tsquery('printer jam ').tsquery).toBe("'printer' & 'jam'");
  });

  it('reads quotes as phrases (an unclosed quote runs to the end), - as exclusion and or as either', () => {
    expect(tsquery('"paper jam" tray').tsquery).toBe("('paper' <-> 'jam') & 'tray':*");
    expect(tsquery('tray "paper ja').tsquery).toBe("'tray' & ('paper' <-> 'ja')");
    expect(tsquery('refund -invoice')).toEqual({
      tsquery: "'refund' & !'invoice'",
      words: ['refund'],
      exclusions: "!'invoice'",
      prefix: null,
    });
    expect(tsquery('refund or credit note').tsquery).toBe("'refund' | 'credit' & 'note':*");
    expect(tsquery('-"late fee" refund ').exclusions).toBe("!('late' <-> 'fee')");
  });

  it('gives the word being typed unstemmed, with the rest of its AND group (the terms after the last or)', () => {
    expect(tsquery('every').prefix).toEqual({
      word: 'every',
      typed: "'every':*",
      stems: "'eve' | 'ever'",
      others: null,
    });
    expect(tsquery('refund or credit -"late fee" runn').prefix).toEqual({
      word: 'runn',
      typed: "'runn':*",
      stems: "'run'",
      others: "'credit' & !('late' <-> 'fee')",
    });
    expect(tsquery('refund or runn').prefix).toEqual({ word: 'runn', typed: "'runn':*", stems: "'run'", others: null });
    // No prefix once a space or a closing quote follows, nor on an exclusion or a phrase.
    for (const input of ['runn ', '"printer runn"', 'printer -runn', 'e-mail'])
      expect(tsquery(input).prefix).toBeNull();
  });

  it('cuts a typed prefix back to each stem it may hold, by code point, no shorter than three', () => {
    expect(stemsWithin('organiz')).toEqual(['org', 'orga', 'organ', 'organi']);
    expect(stemsWithin('run')).toEqual([]);
    expect(stemsWithin('ab')).toEqual([]);
    // lex4000 is stored whole, never stemmed: its prefixes lex4, lex40 are other words.
    expect(stemsWithin('lex4000')).toEqual([]);
    // 𠜎 is one letter in two UTF-16 units: a cut between them would be invalid text for PostgreSQL.
    expect(stemsWithin('𠜎𠜎𠜎𠜎')).toEqual(['𠜎𠜎𠜎']);
  });

  it('ignores a dangling or and lowercases', () => {
    expect(tsquery('or Refund OR ').tsquery).toBe("'refund'");
  });

  it('keeps only letters and digits: tsquery operators in the input are separators, never syntax', () => {
    expect(tsquery("a&b|c:* !d <-> 'e'").tsquery).toBe("('a' <-> 'b' <-> 'c') & 'd' & 'e':*");
    expect(tsquery('e-mail').tsquery).toBe("('e' <-> 'mail')");
    expect(tsquery('Überweisung café').tsquery).toBe("'überweisung' & 'café':*");
  });

  it('refuses input with nothing to find', () => {
    for (const input of ['', '   ', '!!! ---', '-refund', '-"a b"', 'or', 'a'.repeat(MAX_QUERY_LENGTH + 1)]) {
      expect(parseSearchQuery(input).ok).toBe(false);
    }
    expect(parseSearchQuery(Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ')).ok).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import { MAX_QUERY_LENGTH, parseSearchQuery } from './query.js';

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
    });
    expect(tsquery('refund or credit note').tsquery).toBe("'refund' | 'credit' & 'note':*");
    expect(tsquery('-"late fee" refund ').exclusions).toBe("!('late' <-> 'fee')");
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

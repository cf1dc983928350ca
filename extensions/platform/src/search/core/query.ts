// Parses what a person types into a PostgreSQL tsquery text (to_tsquery syntax), the websearch way: words are
// ANDed, "quoted words" are phrases, -word excludes, `or` between two terms is either. Unlike
// websearch_to_tsquery, the last word matches as a prefix while the person is still typing it (no space after it),
// for search as you type. Only letters and digits reach the tsquery (every other character separates words), so no
// input can inject tsquery operators; the dictionary (stemming, stop words) is applied by to_tsquery in SQL.
//
// The prefix cannot go through the stemmer alone: the stem of a prefix is not a prefix of the word's stem
// ('every' → 'everi', but 'everything' → 'everyth'; 'runn' → 'runn', but 'running' → 'run'). So the prefix also
// matches unstemmed (`'every':*`, by the `simple` dictionary), and as a stored stem it starts with (`'run'`) in
// rows whose text has a word starting with it: see `prefix` and docs/decisions/0039-permission-aware-search.md.

export const MAX_QUERY_LENGTH = 200;
export const MAX_TERMS = 16;
/** The shortest stem a typed prefix is cut back to (the stemmer leaves at least this much of an English word). */
export const MIN_STEM_LENGTH = 3;

export interface ParsedQuery {
  /** to_tsquery text, e.g. `'refund' & !'invoice' & ('late' <-> 'fee' | 'delay':*)`. */
  tsquery: string;
  /** The plain words that must match (not excluded, not in phrases): what typo tolerance finds similar words for. */
  words: string[];
  /** The excluded terms as a tsquery (`!'a' & !'b'`), which typo-tolerant matches must respect too; null if none. */
  exclusions: string | null;
  /**
   * The word being typed, when the last term is one, and what it matches besides its stemmed prefix in `tsquery`,
   * as tsquery text for the `simple` dictionary. `typed` is the word as a prefix (`'runn':*`); `stems` its own
   * prefixes (`'run'`), stems the stemmer may have cut a longer word back to, null if none. `others` is the rest
   * of its AND group (`'printer'` in `a | printer runn`) for the collection's language, null if none.
   */
  prefix: { word: string; typed: string; stems: string | null; others: string | null } | null;
}

export type QueryParseResult = { ok: true; query: ParsedQuery } | { ok: false; reason: string };

interface Term {
  words: string[];
  negated: boolean;
  phrase: boolean;
  prefix: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const wordsOf = (text: string): string[] => (text.toLowerCase().match(WORD) ?? []).map((word) => word.slice(0, 64));

export function parseSearchQuery(input: string): QueryParseResult {
  if (input.length > MAX_QUERY_LENGTH) return { ok: false, reason: `at most ${MAX_QUERY_LENGTH} characters` };
  // A sequence of terms, each followed by the operator joining it to the next ('&' unless `or` came between).
  const terms: Term[] = [];
  const joins: Array<'&' | '|'> = [];
  let pendingOr = false;
  let index = 0;
  while (index < input.length) {
    const char = input[index]!;
    if (/\s/u.test(char)) {
      index += 1;
      continue;
    }
    let negated = false;
    if (char === '-') {
      negated = true;
      index += 1;
    }
    let raw: string;
    let phrase = false;
    if (input[index] === '"') {
      // An unclosed quote runs to the end, as in websearch_to_tsquery.
      const close = input.indexOf('"', index + 1);
      raw = input.slice(index + 1, close === -1 ? input.length : close);
      index = close === -1 ? input.length : close + 1;
      phrase = true;
    } else {
      const match = /^[^\s"]+/u.exec(input.slice(index));
      raw = match ? match[0] : '';
      index += raw.length;
    }
    if (!phrase && !negated && raw.toLowerCase() === 'or') {
      pendingOr = terms.length > 0;
      continue;
    }
    const words = wordsOf(raw);
    if (words.length === 0) continue;
    if (terms.length > 0) joins.push(pendingOr ? '|' : '&');
    pendingOr = false;
    // A hyphenated or dotted word (e-mail, v1.2) is a phrase of its parts, as PostgreSQL's parser would see it.
    terms.push({ words, negated, phrase: phrase || words.length > 1, prefix: false });
  }
  if (terms.length === 0) return { ok: false, reason: 'no word to search for' };
  if (terms.length > MAX_TERMS) return { ok: false, reason: `at most ${MAX_TERMS} terms` };
  if (!terms.some((term) => !term.negated)) return { ok: false, reason: 'only excluded words: say what to find' };
  const last = terms[terms.length - 1]!;
  const stillTyping = !/[\s"]$/u.test(input);
  if (stillTyping && !last.negated && !last.phrase) last.prefix = true;

  const render = (term: Term): string => {
    const body = term.words.map((word) => `'${word}'`).join(' <-> ');
    const text = term.prefix ? `${body}:*` : term.words.length > 1 ? `(${body})` : body;
    return term.negated ? `!${text}` : text;
  };
  const tsquery = terms.map((term, position) => (position === 0 ? '' : ` ${joins[position - 1]} `) + render(term));
  const words = terms.filter((term) => !term.negated && !term.phrase).map((term) => term.words[0]!);
  const excluded = terms.filter((term) => term.negated).map(render);
  let prefix: ParsedQuery['prefix'] = null;
  if (last.prefix) {
    // & binds tighter than |: the prefix's group is the terms after the last `or`.
    const groupStart = joins.lastIndexOf('|') + 1;
    const others = terms.slice(groupStart, -1).map(render);
    const word = last.words[0]!;
    const stems = stemsWithin(word);
    prefix = {
      word,
      typed: `'${word}':*`,
      stems: stems.length > 0 ? stems.map((stem) => `'${stem}'`).join(' | ') : null,
      others: others.length > 0 ? others.join(' & ') : null,
    };
  }
  return {
    ok: true,
    query: {
      tsquery: tsquery.join(''),
      words,
      exclusions: excluded.length > 0 ? excluded.join(' & ') : null,
      prefix,
    },
  };
}

/**
 * The stems a longer word starting with `word` may be stored as, shorter than `word` itself: each of its prefixes
 * down to MIN_STEM_LENGTH ('running' → 'run' for 'runn', 'organization' → 'organ' for 'organiz'). None for a word
 * with a digit: PostgreSQL's parser makes it a numword, which every configuration keeps whole (`simple`).
 */
export function stemsWithin(word: string): string[] {
  if (/\p{N}/u.test(word)) return [];
  const characters = Array.from(word); // by code point: half a surrogate pair is not UTF-8
  const stems: string[] = [];
  for (let length = MIN_STEM_LENGTH; length < characters.length; length += 1)
    stems.push(characters.slice(0, length).join(''));
  return stems;
}

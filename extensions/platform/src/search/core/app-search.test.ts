import { describe, expect, it } from '@jest/globals';
import { matchesFilter, planAppSearch } from './app-search.js';
import { parseSearchQuery } from './query.js';

describe('planAppSearch', () => {
  const configured = ['tickets', 'kb_articles'];

  it('takes a search with words on a configured collection, parsed as the search route parses it', () => {
    const plan = planAppSearch('printer jam', 'tickets', configured);
    expect(plan.take).toBe(true);
    const parsed = parseSearchQuery('printer jam');
    if (plan.take && parsed.ok) expect(plan.query).toEqual(parsed.query);
  });

  it('leaves Directus its own search elsewhere', () => {
    expect(planAppSearch('printer', 'organizations', configured)).toEqual({
      take: false,
      reason: 'collection not configured for search',
    });
    for (const empty of [undefined, null, '', '   ', 42])
      expect(planAppSearch(empty, 'tickets', configured).take).toBe(false);
    // A pasted id: Directus's search compares uuid fields exactly; ours would split it into words.
    expect(planAppSearch(' 3F2504E0-4F89-11D3-9A0C-0305E82C3301 ', 'tickets', configured).take).toBe(false);
    // A ticket number: Directus's search compares numeric fields exactly.
    expect(planAppSearch('1042', 'tickets', configured).take).toBe(false);
    expect(planAppSearch('printer 1042', 'tickets', configured).take).toBe(true);
    // No word to look for (punctuation, only exclusions, too long): Directus looks for the literal text.
    expect(planAppSearch('!!!', 'tickets', configured)).toEqual({ take: false, reason: 'no word to search for' });
    expect(planAppSearch('-printer', 'tickets', configured).take).toBe(false);
    expect(planAppSearch('a'.repeat(201), 'tickets', configured).take).toBe(false);
  });
});

describe('matchesFilter', () => {
  it('is the keys alone when the query had no filter', () => {
    expect(matchesFilter('id', ['a', 'b'], undefined)).toEqual({ id: { _in: ['a', 'b'] } });
    expect(matchesFilter('id', ['a'], {})).toEqual({ id: { _in: ['a'] } });
  });

  it('ANDs the keys with the filter the query had, which still applies', () => {
    const existing = { status: { _eq: 'open' } };
    expect(matchesFilter('id', ['a'], existing)).toEqual({ _and: [existing, { id: { _in: ['a'] } }] });
  });

  it('lets no row pass when nothing matched (never an empty _in)', () => {
    expect(matchesFilter('id', [], undefined)).toEqual({ id: { _null: true } });
    expect(matchesFilter('code', [], { status: { _eq: 'open' } })).toEqual({
      _and: [{ status: { _eq: 'open' } }, { code: { _null: true } }],
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { graphqlFilterIssues } from './graphql-filters.js';

const SOME = '_some takes a filter of the related rows: its value must be an object';

describe('graphqlFilterIssues', () => {
  it('finds _some/_none without a filter object in a literal filter argument, nested fields and aliases included', () => {
    expect(graphqlFilterIssues('{ tickets(filter: { messages: { _some: null } }) { id } }', undefined)).toEqual([
      { path: 'tickets.filter.messages._some', message: SOME },
    ]);
    expect(
      graphqlFilterIssues(
        `query { open: tickets(limit: 5) { id messages(filter: { author: { _none: 3 } }) { id } }
           kb_articles(filter: { _and: [{ title: { _icontains: 7 } }] }) { id } }`,
        null,
      ).map((issue) => issue.path),
    ).toEqual(['messages.filter.author._none', 'kb_articles.filter._and[0].title._icontains']);
  });

  it('reads variables, in the filter itself or in one of its values', () => {
    const document =
      'query Q($f: tickets_filter, $m: ticket_messages_filter) { a: tickets(filter: $f) { id } b: tickets(filter: { messages: { _some: $m } }) { id } }';
    expect(
      graphqlFilterIssues(document, { f: { messages: { _none: null } }, m: null }).map((issue) => issue.path),
    ).toEqual(['a.filter.messages._none', 'b.filter.messages._some']);
    expect(graphqlFilterIssues(document, { f: { messages: { _none: { internal: { _eq: true } } } }, m: {} })).toEqual(
      [],
    );
  });

  it('passes valid filters, other arguments, mutations without filters, and leaves what does not parse to Directus', () => {
    expect(
      graphqlFilterIssues(
        '{ tickets(filter: { messages: { _some: { body: { _icontains: "x" } } }, subject: { _null: true } }, search: "_some") { id } }',
        {},
      ),
    ).toEqual([]);
    expect(graphqlFilterIssues('mutation { update_tickets_item(id: "1", data: { subject: "x" }) { id } }', {})).toEqual(
      [],
    );
    expect(graphqlFilterIssues('{ tickets(filter: { messages: { _some: null } }', {})).toEqual([]);
    // Past the token limit Directus refuses the document itself; it is not parsed further here.
    expect(graphqlFilterIssues('{ tickets(filter: { messages: { _some: null } }) { id } }', {}, 5)).toEqual([]);
    expect(graphqlFilterIssues('{ tickets(filter: { messages: { _some: null } }) { id } }', {}, 5000)).toHaveLength(1);
    expect(graphqlFilterIssues(undefined, {})).toEqual([]);
    expect(graphqlFilterIssues('', {})).toEqual([]);
    // A variable not given is no value: Directus answers a missing required variable itself.
    expect(graphqlFilterIssues('query Q($f: tickets_filter) { tickets(filter: $f) { id } }', ['x'])).toEqual([]);
  });
});

// The filter arguments of a GraphQL request, checked by the same rules as a REST filter (filter-values.ts). Directus's
// GraphQL turns `filter:` arguments into a query and sanitizes it before any event a hook gets, and some values
// fail there: `tickets(filter: { messages: { _some: null } })` was an INTERNAL_SERVER_ERROR inside `errors` (fuzz
// seed 1405381070, found over REST). So the document is parsed here, before Directus runs it, and every `filter`
// argument of every field (nested relations included) is read with the request's variables. A document that does
// not parse (or has more tokens than Directus's GRAPHQL_QUERY_TOKEN_LIMIT, given as `maxTokens`, so the parse costs
// no more than Directus's own) is left to Directus, which answers it as GraphQL does. Pure.
import { Kind, parse, valueFromASTUntyped, visit, type DocumentNode } from 'graphql';
import { filterValueIssues } from './filter-values.js';
import type { QueryShapeIssue } from './query-shape.js';

function documentOf(text: string, maxTokens: number | undefined): DocumentNode | null {
  try {
    return parse(text, { noLocation: true, ...(maxTokens ? { maxTokens } : {}) });
  } catch {
    return null;
  }
}

/** What Directus would fail on in the `filter` arguments of a GraphQL document, given its variables. */
export function graphqlFilterIssues(text: unknown, variables: unknown, maxTokens?: number): QueryShapeIssue[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const document = documentOf(text, maxTokens);
  if (!document) return [];
  const values =
    typeof variables === 'object' && variables !== null && !Array.isArray(variables)
      ? (variables as Record<string, unknown>)
      : {};
  const issues: QueryShapeIssue[] = [];
  visit(document, {
    [Kind.FIELD](field) {
      for (const argument of field.arguments ?? []) {
        if (argument.name.value !== 'filter') continue;
        const filter = valueFromASTUntyped(argument.value, values);
        for (const issue of filterValueIssues({ filter }))
          issues.push({ ...issue, path: `${field.alias?.value ?? field.name.value}.${issue.path}` });
      }
    },
  });
  return issues;
}

import { describe, expect, it } from '@jest/globals';
import { astFallbackReason, requestFallbackReason, sqlSort, type PlanNode } from './sql-plan.js';

const TYPES: Record<string, Record<string, string>> = {
  tickets: { id: 'uuid', subject: 'string', organization: 'uuid', messages: 'alias', divider: 'alias' },
  organizations: { id: 'uuid', name: 'string', parent: 'uuid' },
};
const types = (collection: string, field: string) => TYPES[collection]?.[field];
const field = (name: string): PlanNode => ({ type: 'field', name });
const m2o = (name: string, related: string | null, children: PlanNode[]): PlanNode => ({
  type: 'm2o',
  name,
  relation: { related_collection: related },
  children,
});

describe('requestFallbackReason', () => {
  it('lets plain and relational paths, filters and sorts through', () => {
    expect(
      requestFallbackReason(['id', 'organization.name'], { organization: { name: { _eq: 'x' } } }, [
        '-organization.name',
      ]),
    ).toBeNull();
    expect(requestFallbackReason(['*'], undefined, undefined)).toBeNull();
  });
  it('sends functions, many-to-any fields and $FOLLOW to ItemsService', () => {
    expect(requestFallbackReason(['year(date_created)'], undefined, undefined)).toBe('a function in fields');
    expect(requestFallbackReason(['item:kb_articles.title'], undefined, undefined)).toBe('a many-to-any field');
    expect(requestFallbackReason(['id'], { $FOLLOW: {} }, undefined)).toBe('$FOLLOW in filter');
    expect(requestFallbackReason(['id'], { 'year(date_created)': { _eq: 2026 } }, undefined)).toBe(
      'a function in filter',
    );
    expect(requestFallbackReason(['id'], undefined, ['year(date_created)'])).toBe('a function in sort');
  });
  it('does not mistake a bracket inside a filter value for a function', () => {
    expect(requestFallbackReason(['id'], { subject: { _eq: 'call me (soon)' } }, undefined)).toBeNull();
  });
});

describe('astFallbackReason', () => {
  it('accepts columns and m2o relations at any depth', () => {
    const children = [
      field('id'),
      m2o('organization', 'organizations', [field('name'), m2o('parent', 'organizations', [field('id')])]),
    ];
    expect(astFallbackReason('tickets', children, types)).toBeNull();
  });
  it('refuses o2m, a2o, function and alias nodes', () => {
    expect(astFallbackReason('tickets', [{ type: 'o2m', name: 'messages' }], types)).toBe(
      'field tickets.messages is a o2m relation',
    );
    expect(astFallbackReason('tickets', [{ type: 'a2o', name: 'item' }], types)).toBe(
      'field tickets.item is a a2o relation',
    );
    expect(astFallbackReason('tickets', [{ type: 'functionField', name: 'year(id)' }], types)).toBe(
      'field tickets.year(id) is a functionField relation',
    );
    expect(astFallbackReason('tickets', [field('divider')], types)).toBe('field tickets.divider is not a column');
    expect(astFallbackReason('tickets', [field('nope')], types)).toBe('field tickets.nope is not a column');
  });
  it('refuses what is unsupported below an m2o, and an m2o without a related collection', () => {
    expect(
      astFallbackReason('tickets', [m2o('organization', 'organizations', [{ type: 'o2m', name: 'tickets' }])], types),
    ).toBe('field organizations.tickets is a o2m relation');
    expect(astFallbackReason('tickets', [m2o('organization', null, [])], types)).toBe(
      'field tickets.organization has no related collection',
    );
  });
});

describe('sqlSort', () => {
  it('appends the primary key as tie-breaker unless the sort names it', () => {
    expect(sqlSort(undefined, 'id')).toEqual(['id']);
    expect(sqlSort(['subject', ''], 'id')).toEqual(['subject', 'id']);
    expect(sqlSort(['-id'], 'id')).toEqual(['-id']);
    expect(sqlSort(['subject', 'id'], 'id')).toEqual(['subject', 'id']);
  });
});

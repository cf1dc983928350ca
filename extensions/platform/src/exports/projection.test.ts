// core/projection.ts against the function it stands in for: Directus's own removeTemporaryFields (the version
// installed), on the same AST and rows.
import { describe, expect, it } from '@jest/globals';
import { projectionOf, projectRows, type ProjectionNode } from './core/projection.js';

type Row = Record<string, unknown>;
type RemoveTemporaryFields = (schema: unknown, items: Row[], ast: unknown, primaryKeyField: string) => Row[];
const { removeTemporaryFields } = (await import(
  ['@directus', 'api', 'database/run-ast/utils/remove-temporary-fields'].join('/')
)) as { removeTemporaryFields: RemoveTemporaryFields };

const schema = {
  collections: {
    tickets: { primary: 'id' },
    organizations: { primary: 'id' },
    directus_users: { primary: 'id' },
    directus_roles: { primary: 'id' },
  },
};
const field = (name: string): ProjectionNode => ({ type: 'field', name, fieldKey: name });
const m2o = (name: string, related: string, children: ProjectionNode[]) => ({
  type: 'm2o',
  name,
  fieldKey: name,
  children,
  relation: { collection: 'tickets', field: name, related_collection: related },
});
const ast = {
  type: 'root',
  name: 'tickets',
  query: {},
  children: [
    field('number'),
    m2o('organization', 'organizations', [field('name'), field('settings')]),
    field('subject'),
    m2o('assignee', 'directus_users', [field('email'), m2o('role', 'directus_roles', [field('name')])]),
    field('created_at'),
  ],
};

function rows(): Row[] {
  const acme = { id: 'o1', name: 'Acme', settings: { tiers: ['gold', { sla: 4 }] } };
  return [
    { id: 't1', number: 1, organization: acme, subject: 'a', assignee: null, created_at: new Date(0), extra: 1 },
    {
      id: 't2',
      number: 2,
      organization: acme,
      subject: '=x',
      assignee: { id: 'u1', email: 'a@x', role: { id: 'r1', name: 'Agent' } },
      created_at: '2026-01-01T00:00:00.000Z',
    },
    { id: 't3', organization: null, assignee: { id: 'u2', email: null, role: null } },
    { id: 't4', number: 4, subject: undefined },
  ];
}

describe('projectRows and Directus removeTemporaryFields', () => {
  it('give equal rows with equal key order', () => {
    const ours = projectRows(rows(), projectionOf(ast.children)!)!;
    const directus = removeTemporaryFields(schema, rows(), ast, 'id');
    expect(ours).toStrictEqual(directus);
    const keyOrders = (items: unknown): unknown =>
      Array.isArray(items)
        ? items.map(keyOrders)
        : items && typeof items === 'object' && !(items instanceof Date)
          ? Object.entries(items).map(([key, value]) => [key, keyOrders(value)])
          : items;
    expect(keyOrders(ours)).toEqual(keyOrders(directus));
  });
});

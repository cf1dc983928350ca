import { describe, expect, it } from '@jest/globals';
import { projectionOf, projectRows, type ProjectionNode } from './projection.js';

const field = (name: string): ProjectionNode => ({ type: 'field', name, fieldKey: name });
const m2o = (name: string, children: ProjectionNode[]): ProjectionNode => ({
  type: 'm2o',
  name,
  fieldKey: name,
  children,
});

const ticketAst = [
  field('id'),
  field('subject'),
  m2o('organization', [field('name')]),
  m2o('assignee', [field('email'), m2o('role', [field('name')])]),
];

describe('projectionOf', () => {
  it('is null for anything but plain fields and m2o relations', () => {
    expect(
      projectionOf([field('id'), { type: 'o2m', name: 'comments', fieldKey: 'comments', children: [] }]),
    ).toBeNull();
    expect(projectionOf([{ ...field('id'), alias: true }])).toBeNull();
    expect(projectionOf([{ type: 'functionField', name: 'year(created)', fieldKey: 'created_year' }])).toBeNull();
    expect(projectionOf([m2o('organization', [{ type: 'a2o', name: 'x', fieldKey: 'x' }])])).toBeNull();
  });
  it('is null for a key lodash pick reads as a path, a function, an empty or a missing key', () => {
    for (const key of ['a.b', 'a[0]', 'year(x)', ''])
      expect(projectionOf([{ type: 'field', name: key, fieldKey: key }])).toBeNull();
    expect(projectionOf([{ type: 'field', name: 'id' }])).toBeNull();
    expect(projectionOf([])).toBeNull();
  });
  it('keeps the AST order', () => {
    expect(projectionOf(ticketAst)?.keys.map((k) => k.key)).toEqual(['id', 'subject', 'organization', 'assignee']);
  });
});

describe('projectRows', () => {
  const projection = projectionOf(ticketAst)!;

  it('drops the keys runAst added (foreign and primary keys) and keeps the AST order', () => {
    const acme = { id: 'o1', name: 'Acme' };
    const rows = [
      { organization: acme, subject: 's1', id: 1, organization_fk: 'o1', assignee: null },
      {
        id: 2,
        subject: 's2',
        organization: acme,
        assignee: { id: 'u1', email: 'a@x', role: { id: 'r1', name: 'Agent' } },
      },
    ];
    const kept = projectRows(rows, projection)!;
    expect(kept).toEqual([
      { id: 1, subject: 's1', organization: { name: 'Acme' }, assignee: null },
      { id: 2, subject: 's2', organization: { name: 'Acme' }, assignee: { email: 'a@x', role: { name: 'Agent' } } },
    ]);
    expect(Object.keys(kept[0]!)).toEqual(['id', 'subject', 'organization', 'assignee']);
    // A related item shared by two rows becomes one object per row, as cloneDeep + pick gives.
    expect(kept[0]!.organization).not.toBe(kept[1]!.organization);
    expect(rows[0]).toHaveProperty('organization_fk', 'o1');
  });

  it('keeps a relation key always (undefined too) and a plain key only where the row has it', () => {
    const [kept] = projectRows([{ id: 1, organization: undefined }], projection)!;
    expect(kept).toEqual({ id: 1, organization: undefined, assignee: undefined });
    expect(Object.keys(kept!)).toEqual(['id', 'organization', 'assignee']);
    expect(Object.keys(projectRows([{ id: 1, subject: undefined }], projection)![0]!)).toContain('subject');
  });

  it('copies object values deep (JSON, arrays, dates) as cloneDeep does', () => {
    const tags = { list: ['a', { b: 1 }] };
    const created = new Date('2026-01-02T03:04:05Z');
    const [kept] = projectRows([{ id: tags, subject: created }], projection)!;
    expect(kept!.id).toEqual(tags);
    expect(kept!.id).not.toBe(tags);
    expect((kept!.id as typeof tags).list[1]).not.toBe(tags.list[1]);
    expect(kept!.subject).toEqual(created);
    expect(kept!.subject).not.toBe(created);
  });

  it('gives up (null) where its copy would not be exact', () => {
    expect(projectRows([{ id: Buffer.from('x') }], projection)).toBeNull();
    expect(projectRows([{ id: 1, organization: 'o1' }], projection)).toBeNull();
    expect(projectRows([{ id: 1, assignee: { email: 'a', role: new Map() } }], projection)).toBeNull();
    expect(projectRows([null as unknown as Record<string, unknown>], projection)).toBeNull();
  });
});

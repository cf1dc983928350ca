import { describe, expect, it } from '@jest/globals';
import {
  findFullScans,
  fullScans,
  isPlannable,
  largeTables,
  normaliseQuery,
  pairPhases,
  rankStatements,
  type PlanNode,
  type StatementStats,
} from './statements.js';

const row = (queryid: string, totalMs: number, calls = 1): StatementStats => ({
  queryid,
  query: `select ${queryid}`,
  calls,
  totalMs,
  rows: calls,
});

describe('normaliseQuery', () => {
  it('puts the query on one line and cuts it at max characters', () => {
    expect(normaliseQuery('select *\n   from  "tickets"\n\twhere id = $1')).toBe(
      'select * from "tickets" where id = $1',
    );
    expect(normaliseQuery('select 1234567890', 10)).toBe('select 12…');
    expect(normaliseQuery('select 1', 10)).toBe('select 1');
  });
});

describe('isPlannable', () => {
  it('takes queries and data changes, behind comments and whitespace', () => {
    for (const query of [
      'select 1',
      ' WITH x as (select 1) select * from x',
      'insert into t values ($1)',
      'update t set a = $1',
      'delete from t',
      '/* knex */ select 1',
      '-- why\nselect 1',
    ])
      expect(isPlannable(query)).toBe(true);
  });

  it('leaves out utility statements', () => {
    for (const query of [
      'BEGIN',
      'commit',
      'SET statement_timeout = $1',
      'show server_version',
      'copy t from stdin',
      'selection',
    ])
      expect(isPlannable(query)).toBe(false);
  });
});

describe('rankStatements', () => {
  it('orders by total time, keeps the top, and gives each its mean and share of all statements', () => {
    const ranked = rankStatements([row('a', 10, 5), row('b', 60, 2), row('c', 30, 3)], 2);
    expect(ranked.map((s) => s.queryid)).toEqual(['b', 'c']);
    expect(ranked[0]).toMatchObject({ meanMs: 30, share: 0.6 });
    expect(ranked[1]).toMatchObject({ meanMs: 10, share: 0.3 });
  });

  it('gives zeros, not NaN, when nothing took time or a statement has no calls', () => {
    expect(rankStatements([row('a', 0, 0)], 5)).toEqual([{ ...row('a', 0, 0), meanMs: 0, share: 0 }]);
  });
});

describe('largeTables', () => {
  it('guards the named tables and every table of at least minRows rows, once each', () => {
    const sizes = [
      { table: 'tickets', rows: 100_000 },
      { table: 'directus_activity', rows: 20_000 },
      { table: 'organizations', rows: 9_999 },
    ];
    expect(largeTables(sizes, ['tickets', 'ticket_messages'], 10_000)).toEqual([
      'directus_activity',
      'ticket_messages',
      'tickets',
    ]);
  });
});

const scan = (type: string, table: string, extra: Partial<PlanNode> = {}): PlanNode => ({
  'Node Type': type,
  'Relation Name': table,
  ...extra,
});

describe('fullScans', () => {
  it('finds a Seq Scan on a guarded table anywhere in the plan', () => {
    const plan: PlanNode = {
      'Node Type': 'Limit',
      Plans: [{ 'Node Type': 'Nested Loop', Plans: [scan('Seq Scan', 'organizations'), scan('Seq Scan', 'tickets')] }],
    };
    expect(fullScans(plan, ['tickets'])).toEqual(['Seq Scan on tickets']);
  });

  it('counts a primary-key walk without a condition as a full scan, not one with a condition', () => {
    const walk = scan('Index Scan', 'tickets', { 'Index Name': 'tickets_pkey' });
    const lookup = scan('Index Scan', 'tickets', { 'Index Name': 'tickets_pkey', 'Index Cond': '(id = $1)' });
    expect(fullScans(walk, ['tickets'])).toEqual(['Index Scan of tickets_pkey without a condition (a full scan)']);
    expect(fullScans(lookup, ['tickets'])).toEqual([]);
  });

  it('accepts index scans of other indexes and scans of unguarded tables', () => {
    const plan: PlanNode = {
      'Node Type': 'Hash Join',
      Plans: [
        scan('Bitmap Heap Scan', 'ticket_messages', {
          Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'ticket_messages_ticket_index' }],
        }),
        scan('Seq Scan', 'directus_roles'),
      ],
    };
    expect(fullScans(plan, ['tickets', 'ticket_messages'])).toEqual([]);
  });
});

describe('findFullScans', () => {
  it('reports each statement whose plan reads a guarded table whole, and skips those without a plan', () => {
    const [a, b, c] = rankStatements([row('a', 3), row('b', 2), row('c', 1)], 3);
    const findings = findFullScans(
      [
        { statement: a!, plan: scan('Seq Scan', 'tickets') },
        {
          statement: b!,
          plan: scan('Index Scan', 'tickets', { 'Index Name': 'tickets_status_index', 'Index Cond': '(status = $1)' }),
        },
        { statement: c!, plan: { error: 'could not determine data type of parameter $1' } },
      ],
      ['tickets'],
    );
    expect(findings).toEqual([{ queryid: 'a', query: 'select a', scans: ['Seq Scan on tickets'] }]);
  });
});

describe('pairPhases', () => {
  it('pairs the same statement across the phases and keeps the ones found in only one', () => {
    const before = rankStatements([row('a', 50), row('b', 10)], 5);
    const after = rankStatements([row('b', 5), row('c', 1)], 5);
    const pairs = pairPhases(before, after);
    expect(pairs.map((p) => [p.queryid, p.before?.totalMs, p.after?.totalMs])).toEqual([
      ['a', 50, undefined],
      ['b', 10, 5],
      ['c', undefined, 1],
    ]);
  });
});

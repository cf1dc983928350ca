import { describe, expect, it } from '@jest/globals';
import {
  createEntrySplitter,
  describeVerdict,
  executedFindings,
  judgeExecuted,
  MAX_SHAPES,
  parseExecutedPlan,
  planShape,
  recordExecutedPlan,
  type ExecutedSummary,
} from './executed-plans.js';
import type { PlanNode } from './statements.js';

// As PostgreSQL 18 writes auto_explain's entries to stderr (log_format=json, log_verbose=on): the message's further
// lines begin with a tab; a CONTEXT line is an entry of its own.
const planEntry = (pid: number, ms: string, id: string, plan: PlanNode) =>
  `2026-12-04 15:27:16.643 UTC [${pid}] LOG:  duration: ${ms} ms  plan:\n` +
  JSON.stringify({ 'Query Text': 'select …', Plan: plan, 'Query Identifier': '@@' }, null, 2)
    .replace('"@@"', id)
    .split('\n')
    .map((line) => `\t${line}`)
    .join('\n') +
  '\n';

const seqScan: PlanNode = {
  'Node Type': 'Limit',
  Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'tickets' }],
};
const indexScan: PlanNode = {
  'Node Type': 'Limit',
  Plans: [{ 'Node Type': 'Index Scan', 'Relation Name': 'tickets', 'Index Name': 'tickets_open', 'Index Cond': 'x' }],
};
// Beyond 2^53: JSON.parse would round it.
const BIG_ID = '-3793796036956703177';

describe('createEntrySplitter', () => {
  it('hands over an entry once the next starts, across chunk borders, and the last on drain', () => {
    const log =
      planEntry(1, '5.1', BIG_ID, seqScan) +
      '2026-12-04 15:27:16.643 UTC [1] CONTEXT:  PL/pgSQL function f() line 1 at RETURN\n' +
      planEntry(2, '0.1', '42', indexScan);
    const splitter = createEntrySplitter();
    const entries: string[] = [];
    for (let at = 0; at < log.length; at += 37) entries.push(...splitter.push(log.slice(at, at + 37)));
    expect(entries).toHaveLength(2);
    entries.push(...splitter.drain());
    expect(entries).toHaveLength(3);
    expect(entries.join('')).toBe(log);
    expect(entries[1]).toMatch(/CONTEXT/);
    expect(splitter.drain()).toEqual([]);
  });
});

describe('parseExecutedPlan', () => {
  it('reads the duration, the plan and the query id exactly (as text)', () => {
    expect(parseExecutedPlan(planEntry(1, '5.125', BIG_ID, seqScan))).toEqual({
      queryid: BIG_ID,
      durationMs: 5.125,
      plan: seqScan,
    });
  });

  it('is null for other entries, a plan without an id and one cut short', () => {
    expect(parseExecutedPlan('2026-12-04 15:27:16.338 UTC [9] LOG:  database system is ready\n')).toBeNull();
    expect(parseExecutedPlan(planEntry(1, '1', BIG_ID, seqScan).replace(/"Query Identifier".*\n/, ''))).toBeNull();
    const whole = planEntry(1, '1', BIG_ID, seqScan);
    expect(parseExecutedPlan(whole.slice(0, whole.length - 20))).toBeNull();
  });
});

describe('planShape and recordExecutedPlan', () => {
  it('tells plans apart by their nodes, relations and indexes, not by the rest', () => {
    expect(planShape(seqScan)).toBe('Limit:: > Seq Scan:tickets:');
    expect(planShape({ ...seqScan, 'Index Cond': 'other' } as PlanNode)).toBe(planShape(seqScan));
    expect(planShape(indexScan)).not.toBe(planShape(seqScan));
  });

  it('counts plans per statement and shape, and keeps at most MAX_SHAPES shapes', () => {
    const summaries = new Map<string, ExecutedSummary>();
    recordExecutedPlan(summaries, { queryid: 'a', durationMs: 1, plan: seqScan });
    recordExecutedPlan(summaries, { queryid: 'a', durationMs: 1, plan: seqScan });
    recordExecutedPlan(summaries, { queryid: 'a', durationMs: 1, plan: indexScan });
    const a = summaries.get('a')!;
    expect([a.logged, a.shapes.size, a.unkept]).toEqual([3, 2, 0]);
    for (let i = 0; i < MAX_SHAPES + 2; i += 1)
      recordExecutedPlan(summaries, { queryid: 'b', durationMs: 1, plan: { 'Node Type': `Node ${i}` } });
    const b = summaries.get('b')!;
    expect([b.logged, b.shapes.size, b.unkept]).toEqual([MAX_SHAPES + 2, MAX_SHAPES, 2]);
  });
});

describe('judgeExecuted', () => {
  it('counts the logged plans that read a guarded table whole', () => {
    const summaries = new Map<string, ExecutedSummary>();
    for (const plan of [seqScan, seqScan, indexScan])
      recordExecutedPlan(summaries, { queryid: 'a', durationMs: 1, plan });
    expect(judgeExecuted(summaries.get('a'), ['tickets'])).toEqual({
      logged: 3,
      withFullScan: 2,
      scans: ['Seq Scan on tickets'],
      unjudged: 0,
    });
    expect(judgeExecuted(summaries.get('a'), ['ticket_messages']).withFullScan).toBe(0);
  });

  it('is empty for a statement with no logged plan', () => {
    expect(judgeExecuted(undefined, ['tickets'])).toEqual({ logged: 0, withFullScan: 0, scans: [], unjudged: 0 });
  });
});

describe('executedFindings and describeVerdict', () => {
  const clean = { logged: 4, withFullScan: 0, scans: [], unjudged: 0 };
  const scanning = { logged: 5, withFullScan: 2, scans: ['Seq Scan on tickets'], unjudged: 1 };
  const verdicts = new Map([
    ['a', clean],
    ['b', scanning],
  ]);

  it('flags the statements that ran with a full read at least once, not those with none or no plan logged', () => {
    const statements = ['a', 'b', 'c'].map((queryid) => ({ queryid, query: `select ${queryid}` }));
    expect(executedFindings(statements, verdicts)).toEqual([
      { queryid: 'b', query: 'select b', scans: ['Seq Scan on tickets'], verdict: scanning },
    ]);
  });

  it('says what was logged and found', () => {
    expect(describeVerdict(undefined, 2)).toBe('none logged (every call < 2 ms)');
    expect(describeVerdict(clean, 2)).toBe('no full read in 4');
    expect(describeVerdict(scanning, 2)).toBe('Seq Scan on tickets in 2 of 5, 1 not judged');
  });
});

// The plans statements actually ran with, as auto_explain logs them (decision 0072): PostgreSQL's stderr split into
// log entries, each `duration: … plan:` entry parsed, and the plans kept per queryid as a few distinct shapes with
// their counts, so a 60 s run at full logging holds kilobytes, not the log. Pure.
import { fullScans, type PlanNode } from './statements.js';

/**
 * Where a log entry starts, under PostgreSQL's default log_line_prefix ('%m [%p] '): after a newline. A message's own
 * further lines (the JSON plan) are written with a tab after each newline, so they never look like a start.
 */
const ENTRY_BOUNDARY = /\n(?=\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \S+ \[\d+\] )/;

/**
 * Splits a stream of stderr chunks into whole log entries. An entry is whole once the next one starts; `drain`
 * hands over the last one too (call it when the server has had time to write it).
 */
export function createEntrySplitter() {
  let buffer = '';
  const take = (all: boolean): string[] => {
    const entries: string[] = [];
    for (let boundary = ENTRY_BOUNDARY.exec(buffer); boundary; boundary = ENTRY_BOUNDARY.exec(buffer)) {
      entries.push(buffer.slice(0, boundary.index + 1));
      buffer = buffer.slice(boundary.index + 1);
    }
    if (all) {
      entries.push(buffer);
      buffer = '';
    }
    return entries.filter((entry) => entry.trim());
  };
  return {
    push: (chunk: string): string[] => {
      buffer += chunk;
      return take(false);
    },
    drain: (): string[] => take(true),
  };
}

export interface ExecutedPlan {
  /** pg_stat_statements' queryid, as text (a 64-bit integer: JSON.parse would round it). */
  queryid: string;
  durationMs: number;
  plan: PlanNode;
}

/**
 * An auto_explain entry (`log_format=json`, `log_verbose=on`, so the plan carries its "Query Identifier"), or null
 * for any other entry, a plan without an identifier, or one cut short.
 */
export function parseExecutedPlan(entry: string): ExecutedPlan | null {
  const head = /LOG:\s+duration: ([\d.]+) ms\s+plan:\s*/.exec(entry);
  if (!head) return null;
  const json = entry.slice(head.index + head[0].length);
  const id = /"Query Identifier":\s*(-?\d+)/.exec(json);
  if (!id) return null;
  try {
    const parsed = JSON.parse(json) as { Plan?: PlanNode };
    if (!parsed.Plan) return null;
    return { queryid: id[1]!, durationMs: Number(head[1]), plan: parsed.Plan };
  } catch {
    return null;
  }
}

/** A plan's shape: its nodes with the relation and index each reads, in order (not costs, rows or outputs). */
export function planShape(plan: PlanNode): string {
  const parts: string[] = [];
  const visit = (node: PlanNode) => {
    parts.push([node['Node Type'], node['Relation Name'] ?? '', node['Index Name'] ?? ''].join(':'));
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return parts.join(' > ');
}

export interface ExecutedSummary {
  logged: number;
  /** Distinct shapes, each with one plan of that shape and how many logged plans had it. */
  shapes: Map<string, { plan: PlanNode; count: number }>;
  /** Plans whose shape was not kept (over the limit of distinct shapes). */
  unkept: number;
}

/** Keeps at most this many distinct shapes per statement; more are counted, not kept. */
export const MAX_SHAPES = 8;

/** Adds a logged plan to its statement's summary. */
export function recordExecutedPlan(summaries: Map<string, ExecutedSummary>, executed: ExecutedPlan): void {
  let summary = summaries.get(executed.queryid);
  if (!summary) {
    summary = { logged: 0, shapes: new Map(), unkept: 0 };
    summaries.set(executed.queryid, summary);
  }
  summary.logged += 1;
  const shape = planShape(executed.plan);
  const kept = summary.shapes.get(shape);
  if (kept) kept.count += 1;
  else if (summary.shapes.size < MAX_SHAPES) summary.shapes.set(shape, { plan: executed.plan, count: 1 });
  else summary.unkept += 1;
}

export interface ExecutedVerdict {
  logged: number;
  /** Logged plans that read a guarded table whole. */
  withFullScan: number;
  /** The whole-table reads found, each once. */
  scans: string[];
  /** Plans whose shape was not kept, so not judged. */
  unjudged: number;
}

/** Whether the plans a statement ran with read a guarded table whole, and how many of them. */
export function judgeExecuted(summary: ExecutedSummary | undefined, tables: readonly string[]): ExecutedVerdict {
  if (!summary) return { logged: 0, withFullScan: 0, scans: [], unjudged: 0 };
  const scans = new Set<string>();
  let withFullScan = 0;
  for (const { plan, count } of summary.shapes.values()) {
    const found = fullScans(plan, tables);
    if (found.length === 0) continue;
    withFullScan += count;
    for (const scan of found) scans.add(scan);
  }
  return { logged: summary.logged, withFullScan, scans: [...scans], unjudged: summary.unkept };
}

/** The rule (decision 0072): the top statements that ran with a full read of a guarded table, at least once. */
export function executedFindings(
  statements: ReadonlyArray<{ queryid: string; query: string }>,
  verdicts: ReadonlyMap<string, ExecutedVerdict>,
): Array<{ queryid: string; query: string; scans: string[]; verdict: ExecutedVerdict }> {
  return statements.flatMap((statement) => {
    const verdict = verdicts.get(statement.queryid);
    return verdict && verdict.withFullScan > 0
      ? [{ queryid: statement.queryid, query: statement.query, scans: verdict.scans, verdict }]
      : [];
  });
}

/** A table cell: what the plans a statement ran with read. */
export function describeVerdict(verdict: ExecutedVerdict | undefined, minMs: number): string {
  if (!verdict || verdict.logged === 0) return `none logged (every call < ${minMs} ms)`;
  const unjudged = verdict.unjudged > 0 ? `, ${verdict.unjudged} not judged` : '';
  if (verdict.withFullScan === 0) return `no full read in ${verdict.logged}${unjudged}`;
  return `${verdict.scans.join('; ')} in ${verdict.withFullScan} of ${verdict.logged}${unjudged}`;
}

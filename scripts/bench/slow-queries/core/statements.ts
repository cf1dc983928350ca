// What the slow-query bench reads from pg_stat_statements and how it judges it (decision 0066). Pure.

/** One row of pg_stat_statements, its times in milliseconds. */
export interface StatementStats {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

export interface RankedStatement extends StatementStats {
  meanMs: number;
  /** Of the phase's total execution time over every statement (0..1). */
  share: number;
}

/** The plan node fields the rule reads (EXPLAIN's JSON). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** The query on one line, whitespace collapsed, cut at `max` characters for a table cell. */
export function normaliseQuery(query: string, max = Infinity): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Whether EXPLAIN can plan it: a query or a data change, not a utility (BEGIN, SET, SHOW, COPY ...). */
export function isPlannable(query: string): boolean {
  const head = query
    .replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '')
    .slice(0, 10)
    .toLowerCase();
  return /^(select|with|insert|update|delete)\b/.test(head);
}

/**
 * The `top` statements by total execution time, each with its mean and its share of the time of all statements
 * (the share counts every statement given, not only the top ones). Ties keep the order given.
 */
export function rankStatements(rows: readonly StatementStats[], top: number): RankedStatement[] {
  const total = rows.reduce((sum, row) => sum + row.totalMs, 0);
  return rows
    .map((row) => ({
      ...row,
      meanMs: row.calls > 0 ? row.totalMs / row.calls : 0,
      share: total > 0 ? row.totalMs / total : 0,
    }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}

/**
 * The tables the rule guards: the ones always named (the service desk's large tables) and every table with at
 * least `minRows` rows (estimated), so a table the mix makes large (activity, revisions) is guarded too.
 */
export function largeTables(
  sizes: ReadonlyArray<{ table: string; rows: number }>,
  always: readonly string[],
  minRows: number,
): string[] {
  return [...new Set([...always, ...sizes.filter((size) => size.rows >= minRows).map((size) => size.table)])].sort();
}

/**
 * The whole-table reads of `tables` in a plan: a Seq Scan, or a primary-key index scan with no condition (the
 * planner's other way to read every row).
 */
export function fullScans(plan: PlanNode, tables: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (node: PlanNode) => {
    const table = node['Relation Name'];
    if (table && tables.includes(table)) {
      if (node['Node Type'] === 'Seq Scan') found.push(`Seq Scan on ${table}`);
      else if (/Index/.test(node['Node Type']) && node['Index Name']?.endsWith('_pkey') && !node['Index Cond'])
        found.push(`${node['Node Type']} of ${node['Index Name']} without a condition (a full scan)`);
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return found;
}

export interface PlannedStatement {
  statement: RankedStatement;
  /** The generic plan's root, or why there is none (a parameter whose type the planner cannot infer). */
  plan: PlanNode | { error: string };
}

export interface Finding {
  queryid: string;
  query: string;
  scans: string[];
}

/** The statements whose generic plan reads a large table whole: what the index choices fail to serve. */
export function findFullScans(planned: readonly PlannedStatement[], tables: readonly string[]): Finding[] {
  return planned.flatMap(({ statement, plan }) => {
    if ('error' in plan) return [];
    const scans = fullScans(plan, tables);
    return scans.length ? [{ queryid: statement.queryid, query: statement.query, scans }] : [];
  });
}

/** Before and after, paired by queryid (the same statement text normalised, across both phases). */
export function pairPhases(
  before: readonly RankedStatement[],
  after: readonly RankedStatement[],
): Array<{ queryid: string; query: string; before?: RankedStatement; after?: RankedStatement }> {
  const ids = [...new Set([...before.map((s) => s.queryid), ...after.map((s) => s.queryid)])];
  return ids.map((queryid) => {
    const b = before.find((s) => s.queryid === queryid);
    const a = after.find((s) => s.queryid === queryid);
    return { queryid, query: (b ?? a)!.query, before: b, after: a };
  });
}

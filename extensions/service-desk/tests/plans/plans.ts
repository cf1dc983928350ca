// Captures the SQL of the listed reads (capture.ts, in a child process that loads Directus's modules once) and
// reads their plans: `explain` with sequential scans switched off, so a scan that still reads a whole large table
// means no index can serve the query, whatever the table's size (the check runs on a small test database).
import { spawn } from 'node:child_process';
import path from 'node:path';
import type pg from 'pg';
import { bundleModule } from '../../../../scripts/lib/bundle.js';
import { repoRoot } from '../../../../scripts/lib/paths.js';
import { directusDbEnv, type PgConnection } from '../../../../scripts/lib/postgres.js';
import { type PlanNode } from '../../../../scripts/bench/slow-queries/core/statements.js';
import type { CaptureRequest, Captured } from './queries.js';

// The full-scan rule is the slow-query bench's (decision 0066): the plan check and the bench judge plans alike.
export { fullScans, type PlanNode } from '../../../../scripts/bench/slow-queries/core/statements.js';

/** Runs capture.ts on `connection`'s database: the statements Directus sends for each request, in order. */
export async function captureSql(connection: PgConnection, requests: CaptureRequest[]): Promise<Captured[]> {
  const entry = await bundleModule(
    path.join(repoRoot, 'extensions', 'service-desk', 'tests', 'plans', 'capture.ts'),
    'capture-sql',
  );
  const inherited = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].filter((key) => process.env[key] !== undefined);
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited.map((key) => [key, process.env[key]])),
    ...directusDbEnv(connection),
    GROUNDWORK_CAPTURE_REQUESTS: JSON.stringify(requests),
  };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    },
  );
  if (code !== 0) throw new Error(`capturing the SQL failed (exit ${code}):\n${stderr}`);
  const last = stdout.trim().split('\n').at(-1) ?? '[]';
  return JSON.parse(last) as Captured[];
}

/** Whether a statement reads one of `tables` at all (only those are explained). */
export function readsAny(sql: string, tables: string[]): boolean {
  return tables.some((table) => new RegExp(`"${table}"|\\b${table}\\b`).test(sql));
}

/** `explain (format json)` of one statement; `seqscan: false` switches sequential scans off for it. */
export async function explain(
  client: pg.Client,
  statement: { sql: string; bindings: readonly unknown[] },
  options: { seqscan?: boolean; analyze?: boolean; dropIndexes?: readonly string[] } = {},
): Promise<{ plan: PlanNode; executionMs?: number }> {
  await client.query('begin');
  try {
    if (options.seqscan === false) await client.query('set local enable_seqscan = off');
    // Dropped inside the transaction, so rolled back with it (other sessions wait for the lock for milliseconds).
    for (const index of options.dropIndexes ?? []) await client.query(`drop index "${index.replaceAll('"', '""')}"`);
    const result = await client.query(
      `explain (format json${options.analyze ? ', analyze' : ''}) ${statement.sql}`,
      statement.bindings as unknown[],
    );
    const [root] = result.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode; 'Execution Time'?: number }>;
    return { plan: root!.Plan, executionMs: root!['Execution Time'] };
  } finally {
    await client.query('rollback');
  }
}

/**
 * The scans of a plan on its tables and indexes, one line each (for messages and the decision record). A bitmap
 * scan is two nodes: the heap scan names the table, its Bitmap Index Scan child names only the index.
 */
export function scansOf(plan: PlanNode): string[] {
  const lines: string[] = [];
  const visit = (node: PlanNode) => {
    if (node['Relation Name'])
      lines.push(
        `${node['Node Type']} on ${node['Relation Name']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`,
      );
    else if (node['Index Name']) lines.push(`${node['Node Type']} using ${node['Index Name']}`);
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return lines;
}

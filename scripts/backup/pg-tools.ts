// Finding and running pg_dump / pg_restore: the connection goes in PG* variables (no password on a command line),
// progress is printed every few seconds while the tool runs, and a failure carries the tool's error lines.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { PgConnection } from '../lib/postgres.js';
import { chooseTool, parseToolVersion, toolCandidates, type FoundTool, type PgTool } from './core/tools.js';
import { formatBytes, formatSeconds } from './core/manifest.js';

function debianMajors(): number[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .map(Number)
      .filter((major) => Number.isInteger(major) && major > 0);
  } catch {
    return [];
  }
}

/** The first pg_dump / pg_restore whose major is at least `required`; throws a message saying what to install. */
export function findTool(tool: PgTool, required: number, what: string): FoundTool {
  const { explicit, candidates } = toolCandidates(tool, process.env, debianMajors());
  const found: FoundTool[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    // /bin/pg_dump and /usr/bin/pg_dump are often one file, and Debian's /usr/bin one a wrapper of a versioned one.
    const real = realpathSync(candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      const version = parseToolVersion(execFileSync(candidate, ['--version'], { encoding: 'utf8' }));
      if (version) found.push({ path: candidate, ...version });
    } catch {
      // not runnable: not a candidate
    }
  }
  const choice = chooseTool(tool, found, required, explicit, what);
  if (!choice.ok) throw new Error(choice.message);
  return choice.tool;
}

export function libpqEnv(connection: PgConnection): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: connection.database,
    ...(connection.password ? { PGPASSWORD: connection.password } : {}),
  };
}

/**
 * Runs the tool with --verbose; every `everyMs` prints the elapsed time, the size of `watchFile` (the dump being
 * written) if given, and what the tool last said it was doing.
 */
export function runTool(
  tool: FoundTool,
  args: string[],
  options: { connection: PgConnection; log: (line: string) => void; watchFile?: string; everyMs?: number },
): Promise<void> {
  const name = tool.path.split('/').pop()!;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(tool.path, ['--verbose', ...args], {
      env: libpqEnv(options.connection),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let last = '';
    let partial = '';
    const errors: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/\b(error|fatal|warning):/i.test(line)) errors.push(line);
        else if (line.trim()) last = line.replace(/^pg_(dump|restore): /, '');
      }
    });
    const timer = setInterval(() => {
      const size =
        options.watchFile && existsSync(options.watchFile)
          ? `, ${formatBytes(statSync(options.watchFile).size)} written`
          : '';
      options.log(`${name}: ${formatSeconds(Date.now() - started)}${size}; ${last}`);
    }, options.everyMs ?? 2000);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (partial && /\b(error|fatal|warning):/i.test(partial)) errors.push(partial);
      if (code === 0) {
        for (const warning of errors) options.log(warning);
        resolve();
      } else {
        reject(new Error(`${name} failed (exit ${code}):\n${errors.slice(-20).join('\n') || last}`));
      }
    });
  });
}

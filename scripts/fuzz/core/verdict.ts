// The property every answer must hold, and the tallies the fuzz prints. Pure.
import type { Role } from './requests.js';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

export interface NoAnswer {
  error: string;
  /**
   * The URL is over Node's 16 KiB header limit. The server answers 431 in the envelope (bad-input/) and closes the
   * connection; now and then the close overtakes the answer on the client's side (about 1 in 80 locally), which is
   * the transport, not the application: such a reset is not a failure.
   */
  oversized?: boolean;
}

/** A V8 stack frame (`at fn (/path/file.js:12:3)`) or a path into node_modules: internals leaking out. */
const STACK_FRAME = /\bat .*\(?[^\s()]+\.[cm]?[jt]s:\d+:\d+\)?|node_modules\//;

function hasStackKey(value: unknown, depth = 0): boolean {
  if (!value || typeof value !== 'object' || depth > 6) return false;
  return Object.entries(value).some(([key, inner]) => key === 'stack' || hasStackKey(inner, depth + 1));
}

/**
 * Why the answer breaks the property, or null when it holds: no status ≥ 500 (or no answer at all), and every 4xx
 * in Directus's error envelope `{ errors: [{ message, extensions: { code } }] }` with no stack trace.
 */
export function violation(answer: Answer | NoAnswer): string | null {
  if ('error' in answer)
    return answer.oversized && /other side closed|ECONNRESET|EPIPE/.test(answer.error)
      ? null
      : `no answer: ${answer.error}`;
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.status < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `a ${answer.status} that is not JSON`;
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return `a ${answer.status} without an errors array`;
  for (const error of errors as Array<Record<string, unknown>>) {
    if (typeof error?.message !== 'string') return `a ${answer.status} whose error has no message`;
    const code = (error.extensions as Record<string, unknown> | undefined)?.code;
    if (typeof code !== 'string') return `a ${answer.status} whose error has no extensions.code`;
  }
  if (hasStackKey(body) || STACK_FRAME.test(answer.text)) return `a ${answer.status} with a stack trace`;
  return null;
}

/** Status counts per role, and the totals a progress line shows. */
export class Tally {
  readonly byRole = new Map<Role, Map<string, number>>();
  requests = 0;
  readonly startedAt: number;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  add(role: Role, status: number | 'error' | 'reset'): void {
    this.requests += 1;
    const counts = this.byRole.get(role) ?? new Map<string, number>();
    counts.set(String(status), (counts.get(String(status)) ?? 0) + 1);
    this.byRole.set(role, counts);
  }

  /** All roles together, by status. */
  statuses(): Map<string, number> {
    const total = new Map<string, number>();
    for (const counts of this.byRole.values()) {
      for (const [status, n] of counts) total.set(status, (total.get(status) ?? 0) + n);
    }
    return total;
  }

  atLeast500(): number {
    return [...this.statuses()].filter(([s]) => s === 'error' || Number(s) >= 500).reduce((sum, [, n]) => sum + n, 0);
  }

  perSecond(now = Date.now()): number {
    const seconds = (now - this.startedAt) / 1000;
    return seconds > 0 ? Math.round((this.requests / seconds) * 10) / 10 : 0;
  }
}

function histogram(counts: Map<string, number>): string {
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
}

/** One line per role, status by status: `agent 200:51 400:210 403:88`. */
export function formatHistogram(tally: Tally): string[] {
  return [...tally.byRole]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, counts]) => `  ${role.padEnd(14)} ${histogram(counts)}`);
}

export function progressLine(tally: Tally, target: number, now = Date.now()): string {
  return `${tally.requests}/${target} requests, ${tally.perSecond(now)} req/s; all roles: ${histogram(tally.statuses())}`;
}

export function summaryLine(tally: Tally, seed: number, now = Date.now()): string {
  const seconds = ((now - tally.startedAt) / 1000).toFixed(1);
  return `fuzz: ${tally.requests} requests in ${seconds} s (${tally.perSecond(now)} req/s), seed ${seed}, ${tally.atLeast500()} answers ≥ 500; ${histogram(tally.statuses())}`;
}

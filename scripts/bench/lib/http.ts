// Small helpers the benchmarks share: a JSON call to a Directus under test, and a process's resident memory.
import { readFileSync } from 'node:fs';

/** Calls `url` with a JSON body and an optional bearer token; returns `data`, or throws with the status and body. */
export async function json(url: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  const body = (await response.json()) as { data: Record<string, unknown> };
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** Resident memory of a process in MB, from /proc (NaN without a pid or a VmRSS line). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/** Samples a process's resident memory every 50 ms from now on; stop() answers the highest seen, in MB. */
export function rssPeakSampler(pid: number | undefined): { before: number; stop: () => number } {
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 50);
  return {
    before,
    stop() {
      clearInterval(sampler);
      peak = Math.max(peak, rssMb(pid));
      return peak;
    },
  };
}

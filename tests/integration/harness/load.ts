// A small steady load for resilience tests: a few concurrent loops of reads and writes against one instance, each
// request recorded with its outcome and timing, so a test can say what failed during an outage and for how long.

export interface LoadResult {
  kind: 'read' | 'write';
  startedAt: number;
  endedAt: number;
  /** HTTP status, or 0 when the request got no answer (refused, reset or timed out). */
  status: number;
  text: string;
}

export interface Load {
  results: LoadResult[];
  /** Stops the loops and waits for the requests in flight. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  baseUrl: string;
  token: string;
  /** Concurrent loops (default 6); each alternates a read and a write. */
  concurrency?: number;
  /** A request without an answer after this long counts as failed (default 5 s). */
  requestTimeoutMs?: number;
  /** Pause between two requests of one loop (default 20 ms), so the load does not starve a 2-core box. */
  pauseMs?: number;
}

/** Reads list folders (GET /folders), writes create one (POST /folders): core Directus routes, cached and not. */
export function startLoad(options: LoadOptions): Load {
  const { baseUrl, token } = options;
  const timeoutMs = options.requestTimeoutMs ?? 5_000;
  const pauseMs = options.pauseMs ?? 20;
  const results: LoadResult[] = [];
  let running = true;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  async function once(kind: LoadResult['kind'], n: number) {
    const startedAt = Date.now();
    const init: RequestInit =
      kind === 'read'
        ? { headers, signal: AbortSignal.timeout(timeoutMs) }
        : {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: `load ${n} ${startedAt}` }),
            signal: AbortSignal.timeout(timeoutMs),
          };
    const url = kind === 'read' ? `${baseUrl}/folders?limit=5&sort=-name` : `${baseUrl}/folders`;
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      results.push({ kind, startedAt, endedAt: Date.now(), status: response.status, text: response.ok ? '' : text });
    } catch (error) {
      results.push({ kind, startedAt, endedAt: Date.now(), status: 0, text: String((error as Error).message) });
    }
  }

  async function loop(index: number) {
    for (let n = 0; running; n++) {
      await once(n % 2 === index % 2 ? 'read' : 'write', n);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  const loops = Array.from({ length: options.concurrency ?? 6 }, (_unused, index) => loop(index));
  return {
    results,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

const ok = (result: LoadResult) => result.status >= 200 && result.status < 300;

export interface OutageFigures {
  total: number;
  failed: number;
  /** Failed requests by status (0 = no answer). */
  failedByStatus: Record<string, number>;
  /** From `backAt` to the end of the first successful write that started after it, in ms. */
  firstWriteMs: number | null;
  /** From `backAt` to the end of the last failed request, in ms (0 when none failed after `backAt`). */
  errorWindowMs: number;
  /** Successful requests that ended between `downAt` and `backAt` (served during the outage). */
  servedDuringOutage: { reads: number; writes: number };
  /** The longest a request that ended between `downAt` and `backAt` took, in ms. */
  slowestDuringOutageMs: number;
  /** Non-2xx answers whose body is not Directus's error envelope, or that carry a stack trace or a path. */
  leaks: LoadResult[];
}

export function outageFigures(results: LoadResult[], downAt: number, backAt: number): OutageFigures {
  const failed = results.filter((result) => !ok(result));
  const failedByStatus: Record<string, number> = {};
  for (const result of failed) failedByStatus[result.status] = (failedByStatus[result.status] ?? 0) + 1;
  const firstWrite = results
    .filter((result) => result.kind === 'write' && ok(result) && result.startedAt >= backAt)
    .sort((a, b) => a.endedAt - b.endedAt)[0];
  const lastFailure = Math.max(backAt, ...failed.map((result) => result.endedAt));
  const during = results.filter((result) => ok(result) && result.endedAt > downAt && result.endedAt < backAt);
  const leaks = failed.filter((result) => {
    if (result.status === 0) return false;
    if (/node_modules|at .+\.js:\d+|"stack"/.test(result.text)) return true;
    try {
      const body = JSON.parse(result.text) as { errors?: { extensions?: { code?: string } }[] };
      return !body.errors?.[0]?.extensions?.code;
    } catch {
      return true;
    }
  });
  return {
    total: results.length,
    failed: failed.length,
    failedByStatus,
    firstWriteMs: firstWrite ? firstWrite.endedAt - backAt : null,
    errorWindowMs: lastFailure - backAt,
    servedDuringOutage: {
      reads: during.filter((result) => result.kind === 'read').length,
      writes: during.filter((result) => result.kind === 'write').length,
    },
    slowestDuringOutageMs: Math.max(
      0,
      ...results
        .filter((result) => result.endedAt > downAt && result.endedAt < backAt)
        .map((result) => result.endedAt - result.startedAt),
    ),
    leaks,
  };
}

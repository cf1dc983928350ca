// The choices of the local round-robin proxy (scripts/lib/proxy.ts), without any I/O: which upstream serves the next
// request, which ones are resting after a failure, and whether a failed request may go to another upstream.

export interface Balancer {
  /** Base URLs by index; replaceUpstream swaps one (a restarted instance on a new address). */
  upstreams: string[];
  /** Index of the upstream the next choice starts from. */
  next: number;
  /** Upstream index -> time (ms) until which it is skipped after a failed connection. */
  restingUntil: Map<number, number>;
  /** Upstreams taken out of rotation (drainUpstream): never picked, whatever else is down. */
  drained: Set<number>;
}

export function createBalancer(upstreams: readonly string[]): Balancer {
  if (upstreams.length === 0) throw new Error('a balancer needs at least one upstream');
  return { upstreams: [...upstreams], next: 0, restingUntil: new Map(), drained: new Set() };
}

/**
 * The next upstream in turn, skipping those resting at `now` and those in `exclude` (already tried for this request).
 * When every candidate rests, the one whose rest ends first is tried anyway (a proxy with all upstreams marked down
 * would otherwise refuse everything until the marks expire). Undefined only when all are excluded.
 */
export function pickUpstream(
  balancer: Balancer,
  now: number,
  exclude: ReadonlySet<number> = new Set(),
): number | undefined {
  const count = balancer.upstreams.length;
  const candidates: number[] = [];
  for (let step = 0; step < count; step++) {
    const index = (balancer.next + step) % count;
    if (!exclude.has(index) && !balancer.drained.has(index)) candidates.push(index);
  }
  if (candidates.length === 0) return undefined;
  const awake = candidates.find((index) => (balancer.restingUntil.get(index) ?? 0) <= now);
  const chosen =
    awake ??
    candidates.reduce((best, index) =>
      balancer.restingUntil.get(index)! < balancer.restingUntil.get(best)! ? index : best,
    );
  balancer.next = (chosen + 1) % count;
  return chosen;
}

/**
 * Take an upstream out of rotation before its instance stops (a rolling restart): requests already sent to it
 * finish there, no new one goes to it.
 */
export function drainUpstream(balancer: Balancer, index: number): void {
  balancer.drained.add(index);
}

/** Put an upstream (back) into rotation at `url`, healthy: the restarted instance. */
export function replaceUpstream(balancer: Balancer, index: number, url: string): void {
  balancer.upstreams[index] = url;
  balancer.drained.delete(index);
  balancer.restingUntil.delete(index);
}

/** Rest an upstream that refused or dropped a connection for `restMs`. */
export function markFailed(balancer: Balancer, index: number, now: number, restMs: number): void {
  balancer.restingUntil.set(index, now + restMs);
}

/** An upstream that answered is healthy again. */
export function markHealthy(balancer: Balancer, index: number): void {
  balancer.restingUntil.delete(index);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * May a request that failed on one upstream be sent to another? A connection that was never established
 * (`connected` false: refused, reset before the socket opened) carried nothing, so any method may go elsewhere.
 * Once connected, the upstream may have acted on it: only reads are repeated; a write answers 502 and the client
 * decides, since the write may or may not have been committed.
 */
export function mayRetry(method: string, connected: boolean): boolean {
  return !connected || IDEMPOTENT.has(method.toUpperCase());
}

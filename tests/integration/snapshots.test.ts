// Snapshots end to end on throwaway databases: ledger and tamper check, a round trip through a running Directus,
// and drift. Each test works on a copy of snapshots/ in a temp folder, so it may add or edit versions.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrapDirectus } from '../../scripts/lib/directus.js';
import { createTestDatabase, instanceEnv, startInstance, testRunsDir } from '../../scripts/lib/instance.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { dropDatabase, ensureDatabase, withClient, type PgConnection } from '../../scripts/lib/postgres.js';
import { listVersions } from '../../scripts/snapshots/store.js';
import { harness } from './harness/context.js';
import { adminToken, getJson } from './http.js';

const urlOf = (db: PgConnection) =>
  `postgres://${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@${db.host}:${db.port}/${db.database}`;

/** Runs `npm run <script>`'s file the way npm does, and returns its exit code and everything it printed. */
function runScript(script: 'migrate' | 'snapshot', args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', `${script}.ts`), ...args],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const databases: PgConnection[] = [];
// The repository's versions, so these tests follow new ones without edits.
const versions = listVersions(path.join(repoRoot, 'snapshots'));
const latest = versions.at(-1)!.folder;
const next = `${String(versions.length + 1).padStart(4, '0')}-round-trip`;
let workDir: string;

async function bootstrappedDatabase(label: string): Promise<PgConnection> {
  const db = await createTestDatabase(harness().server, label);
  databases.push(db);
  await bootstrapDirectus(instanceEnv(db, 0, path.join(testRunsDir, label)));
  return db;
}

function copyOfSnapshots(name: string): string {
  const dir = path.join(workDir, name);
  cpSync(path.join(repoRoot, 'snapshots'), dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-snapshots-'));
});

afterAll(async () => {
  for (const db of databases) await dropDatabase(harness().server, db.database);
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm run migrate', () => {
  it('applies every version to a fresh database, records the ledger, and is then clean and idempotent', async () => {
    const db = await bootstrappedDatabase('snap_ledger');
    const dir = copyOfSnapshots('ledger');
    const args = ['--database-url', urlOf(db), '--dir', dir];

    const dry = await runScript('migrate', [...args, '--dry-run']);
    expect(dry.output).toContain('would apply 0001-baseline');

    const started = Date.now();
    const first = await runScript('migrate', args);
    const elapsed = Date.now() - started;
    for (const version of versions) expect(first.output).toContain(`applied ${version.folder}`);
    expect(first.code).toBe(0);
    // Acceptance: a fresh database through all versions in under 15 s (process start included).
    expect(elapsed).toBeLessThan(15_000);

    const ledger = await withClient(db, (client) =>
      client.query('select version, name, checksum, duration_ms from groundwork_migrations order by version'),
    );
    expect(ledger.rows).toEqual(
      versions.map((version) => ({
        version: version.version,
        name: version.name,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
        duration_ms: expect.any(Number),
      })),
    );

    const again = await runScript('migrate', args);
    expect(again.code).toBe(0);
    expect(again.output).toContain('nothing to do');

    const check = await runScript('snapshot', ['--check', ...args]);
    expect(check.output).toContain(`matches ${latest}`);
    expect(check.code).toBe(0);

    appendFileSync(path.join(dir, '0001-baseline', 'access.json'), '\n');
    const tampered = await runScript('migrate', args);
    expect(tampered.code).toBe(1);
    expect(tampered.output).toContain(`${dir}/0001-baseline/access.json (edited)`);
  });
});

describe('snapshot round trip and drift', () => {
  it('carries a field, a permission and a flow to a fresh database, and names a field added by hand', async () => {
    const dir = copyOfSnapshots('round-trip');
    const db = await createTestDatabase(harness().server, 'snap_trip');
    databases.push(db);
    const args = ['--database-url', urlOf(db), '--dir', dir];
    const instance = await startInstance({
      db,
      name: 'snapshots-round-trip',
      bootstrap: true,
      afterBootstrap: async () => {
        expect((await runScript('migrate', args)).code).toBe(0);
      },
    });
    let flowId: string;
    let policyId: string;
    try {
      const token = await adminToken(instance.baseUrl);
      const send = async (method: string, route: string, body: unknown) => {
        const response = await getJson(`${instance.baseUrl}${route}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect([response.status, route]).toEqual([200, route]);
        return (response.body as { data: Record<string, unknown> }).data;
      };
      await send('POST', '/collections', {
        collection: 'gw_notes',
        schema: {},
        meta: { icon: 'note' },
        // As the admin app sends it: a field without meta is invisible to Directus's schema snapshot.
        fields: [
          {
            field: 'id',
            type: 'integer',
            meta: { hidden: true, interface: 'input', readonly: true },
            schema: { is_primary_key: true, has_auto_increment: true },
          },
        ],
      });
      await send('POST', '/fields/gw_notes', { field: 'title', type: 'string', meta: { interface: 'input' } });
      policyId = (await send('POST', '/policies', { name: 'Note readers', app_access: false, admin_access: false }))
        .id as string;
      await send('POST', '/permissions', { policy: policyId, collection: 'gw_notes', action: 'read', fields: ['*'] });
      flowId = (await send('POST', '/flows', { name: 'Log notes', status: 'active', trigger: 'manual', options: {} }))
        .id as string;
      const operation = await send('POST', '/operations', {
        flow: flowId,
        key: 'log_it',
        type: 'log',
        position_x: 19,
        position_y: 1,
        options: { message: 'a note' },
      });
      await send('PATCH', `/flows/${flowId}`, { operation: operation.id });
    } finally {
      await instance.stop();
    }

    const captured = await runScript('snapshot', ['round trip', ...args]);
    expect(captured.code).toBe(0);
    expect(captured.output).toContain(next);
    expect(captured.output).toContain('+ field gw_notes.title');
    expect(captured.output).toContain('+ permission Note readers: gw_notes read');
    expect(captured.output).toContain('+ flow Log notes');
    expect((await runScript('snapshot', ['again', ...args])).output).toContain(`nothing changed since ${next}`);

    await dropDatabase(harness().server, db.database);
    await ensureDatabase(harness().server, db.database);
    await bootstrapDirectus(instanceEnv(db, 0, path.join(testRunsDir, 'snapshots-round-trip')));
    const migrated = await runScript('migrate', args);
    expect(migrated.code).toBe(0);
    expect(migrated.output).toContain(`applied ${next}`);

    await withClient(db, async (client) => {
      const column = await client.query(
        "select 1 from information_schema.columns where table_name = 'gw_notes' and column_name = 'title'",
      );
      expect(column.rowCount).toBe(1);
      const permission = await client.query('select fields from directus_permissions where policy = $1', [policyId]);
      expect(permission.rows).toEqual([{ fields: '*' }]);
      const flow = await client.query(
        'select f.name, o.key from directus_flows f join directus_operations o on o.id = f.operation where f.id = $1',
        [flowId],
      );
      expect(flow.rows).toEqual([{ name: 'Log notes', key: 'log_it' }]);
    });
    const clean = await runScript('snapshot', ['--check', ...args]);
    expect(clean.output).toContain(`matches ${next}`);

    // Drift: a field added by hand (column plus Directus's field row, as the admin app would make it).
    await withClient(db, async (client) => {
      await client.query('alter table gw_notes add column mood varchar(255)');
      await client.query(
        "insert into directus_fields (collection, field, interface) values ('gw_notes', 'mood', 'input')",
      );
    });
    const drift = await runScript('snapshot', ['--check', ...args]);
    expect(drift.code).toBe(1);
    expect(drift.output).toContain('+ field gw_notes.mood');
    // Two migrates through every version plus a Directus boot: each version adds a schema apply (2-17 s under load).
  }, 300_000);
});

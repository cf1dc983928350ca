// Snapshots end to end on throwaway databases: ledger and tamper check, the platform's line apart from the domain's,
// runs killed midway, a round trip through a running Directus, and drift. The domain is the fixture's
// (tests/fixtures/domain, one version): the tooling is the platform's, whatever the domain. Each test works on a copy
// of the fixture's line in a temp folder, so it may add or edit versions.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrapDirectus } from '../../scripts/lib/directus.js';
import { createTestDatabase, instanceEnv, startInstance, TEST_ADMIN, testRunsDir } from '../../scripts/lib/instance.js';
import { repoRoot } from '../../scripts/lib/paths.js';
import { dropDatabase, ensureDatabase, withClient, type PgConnection } from '../../scripts/lib/postgres.js';
import { canonicalJson } from '../../scripts/snapshots/core/canonical.js';
import { normalizeSchema } from '../../scripts/snapshots/core/state.js';
import { resealVersion } from '../../scripts/snapshots/capture.js';
import { listVersions, platformSnapshotsDir } from '../../scripts/snapshots/store.js';
import { fixtureTestDatabase, harness } from './harness/context.js';
import { FIXTURE_LINE } from './harness/fixture-line.js';
import { adminToken, getJson } from './http.js';

const urlOf = (db: PgConnection) =>
  `postgres://${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@${db.host}:${db.port}/${db.database}`;

/**
 * Runs `npm run <script>`'s file the way npm does, and returns its exit code (or the signal that ended it) and
 * everything it printed. `onOutput` sees the output so far and gets the child, e.g. to kill it at a given line.
 */
function runScript(
  script: 'migrate' | 'snapshot',
  args: string[],
  onOutput?: (output: string, child: ChildProcess) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', `${script}.ts`), ...args],
      {
        cwd: repoRoot,
        // The first admin `npm run migrate` creates on an empty database.
        env: { ...process.env, ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput?.(output, child);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** An empty database on the test server (no Directus tables), dropped after the file. */
async function emptyDatabase(label: string): Promise<PgConnection> {
  const db = await createTestDatabase(harness().server, label);
  databases.push(db);
  return db;
}

const ledgerVersions = (db: PgConnection) =>
  withClient(db, async (client) => {
    const exists = await client.query("select to_regclass('groundwork_migrations') is not null as exists");
    if (!exists.rows[0].exists) return [];
    const rows = await client.query('select version from groundwork_migrations order by version');
    return rows.rows.map((row: { version: number }) => row.version);
  });

const databases: PgConnection[] = [];
// The fixture line's versions, so these tests follow new ones without edits.
const versions = listVersions(FIXTURE_LINE);
const first = versions[0]!.folder;
const latest = versions.at(-1)!.folder;
const next = `${String(versions.length + 1).padStart(4, '0')}-round-trip`;
let workDir: string;

function copyOfSnapshots(name: string): string {
  const dir = path.join(workDir, name);
  cpSync(FIXTURE_LINE, dir, { recursive: true });
  return dir;
}

/**
 * Makes a migrate of `dir` two steps: its latest version gets a data migration, and a new version drops a field of
 * that one's schema, so that one is applied and committed in a transaction of its own (core/plan.ts) before the new
 * one's. The fixture's line has one version; the service desk's had such steps. Returns the new version's folder.
 */
function addSecondStep(dir: string): string {
  if (existsSync(path.join(dir, latest, 'migrate.ts'))) throw new Error(`${latest} already has a data migration`);
  writeFileSync(path.join(dir, latest, 'migrate.ts'), 'export async function up(): Promise<void> {}\n');
  resealVersion(dir, latest);
  const second = `${String(versions.length + 1).padStart(4, '0')}-no-project-name`;
  cpSync(path.join(dir, latest), path.join(dir, second), { recursive: true });
  rmSync(path.join(dir, second, 'migrate.ts'));
  const schemaFile = path.join(dir, second, 'schema.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const fields = schema.fields.filter(
    (row: { collection: string; field: string }) => !(row.collection === 'projects' && row.field === 'name'),
  );
  expect(fields).toHaveLength(schema.fields.length - 1);
  writeFileSync(schemaFile, canonicalJson({ ...schema, fields }));
  resealVersion(dir, second);
  return second;
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-snapshots-'));
});

afterAll(async () => {
  for (const db of databases) await dropDatabase(harness().server, db.database);
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm run migrate', () => {
  it('installs Directus on an empty database, applies every version, records the ledger, and is then clean and idempotent', async () => {
    const db = await emptyDatabase('snap_ledger');
    const dir = copyOfSnapshots('ledger');
    const args = ['--database-url', urlOf(db), '--dir', dir];

    const dry = await runScript('migrate', [...args, '--dry-run']);
    expect(dry.output).toContain('would install Directus system tables');
    expect(dry.output).toContain(`would apply ${first}`);
    expect(await withClient(db, (client) => client.query("select to_regclass('directus_roles') as t"))).toMatchObject({
      rows: [{ t: null }],
    });

    // The 15 s bound for a fresh database is measured by `npm run bench:migrate` (docs/benchmarks.md), not
    // asserted here: a timed test fails on a loaded machine without telling anything about the code.
    const installed = await runScript('migrate', args);
    expect(installed.output).toContain('empty database: installing Directus system tables');
    for (const version of versions) expect(installed.output).toContain(`applied ${version.folder}`);
    expect(installed.code).toBe(0);
    const admins = await withClient(db, (client) => client.query('select email from directus_users'));
    expect(admins.rows).toEqual([{ email: TEST_ADMIN.email }]);

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

    appendFileSync(path.join(dir, first, 'access.json'), '\n');
    const tampered = await runScript('migrate', args);
    expect(tampered.code).toBe(1);
    expect(tampered.output).toContain(`${dir}/${first}/access.json (edited)`);
    // Each migrate loads Directus once (seconds idle, a minute at load average 15 on this 2-core machine).
  }, 900_000);

  it("keeps the platform's line and the domain's apart: each changes only its own part (decision 0029)", async () => {
    const db = await emptyDatabase('snap_lines');
    const dir = copyOfSnapshots('lines');
    const args = ['--database-url', urlOf(db), '--dir', dir];
    expect((await runScript('migrate', args)).code).toBe(0);
    const platformLedger = () =>
      withClient(
        db,
        async (client) => (await client.query('select name from groundwork_platform_migrations order by version')).rows,
      );
    const platformVersions = listVersions(platformSnapshotsDir());
    expect(await platformLedger()).toEqual(platformVersions.map((version) => ({ name: version.name })));
    const count = (sql: string) => withClient(db, async (client) => Number((await client.query(sql)).rows[0].n));
    const domainRows = async () => ({
      permissions: await count('select count(*) as n from directus_permissions'),
      definitions: await count('select count(*) as n from workflow_definitions'),
      ledger: await count('select count(*) as n from groundwork_migrations'),
    });
    const before = await domainRows();

    // A platform version that adds a field to one of its collections: the platform's part changes, the domain's
    // does not (its versions do not list the platform's collections, so an apply of either part alone must not
    // drop the other's).
    const platformDir = path.join(workDir, 'lines-platform');
    cpSync(platformSnapshotsDir(), platformDir, { recursive: true });
    const platformLatest = platformVersions.at(-1)!;
    const schema = JSON.parse(readFileSync(path.join(platformDir, platformLatest.folder, 'schema.json'), 'utf8'));
    const model = schema.fields.find(
      (row: { collection: string; field: string }) =>
        row.collection === 'notification_templates' && row.field === 'description',
    );
    const added = structuredClone(model);
    added.field = 'locale';
    added.meta.field = 'locale';
    added.schema.name = 'locale';
    const widened = { ...schema, fields: [...schema.fields, added] };
    const folder = `${String(platformLatest.version + 1).padStart(4, '0')}-template-locale`;
    // normalizeSchema puts the rows in the order a capture writes them.
    mkdirSync(path.join(platformDir, folder));
    writeFileSync(path.join(platformDir, folder, 'schema.json'), canonicalJson(normalizeSchema(widened)));
    resealVersion(platformDir, folder);
    const platformEnv = { GROUNDWORK_PLATFORM_SNAPSHOTS_DIR: platformDir };
    const upgraded = await runScript('migrate', args, undefined, platformEnv);
    expect(upgraded.output).toContain(`applied platform/${folder}`);
    expect(upgraded.code).toBe(0);
    const exists = (table: string) =>
      withClient(
        db,
        async (client) => (await client.query('select to_regclass($1) is not null as e', [table])).rows[0].e,
      );
    const columns = await withClient(db, async (client) =>
      (
        await client.query(
          "select column_name from information_schema.columns where table_name = 'notification_templates'",
        )
      ).rows.map((row: { column_name: string }) => row.column_name),
    );
    expect(columns).toContain('locale');
    expect(await exists('tasks')).toBe(true);
    expect(await domainRows()).toEqual(before);
    const check = await runScript('snapshot', ['--check', ...args], undefined, platformEnv);
    expect(check.output).toContain(`matches ${folder}`);
    expect(check.output).toContain(`matches ${latest}`);
    expect(check.code).toBe(0);

    // A domain version that takes a platform collection is refused before anything is loaded or changed.
    const domainLatest = versions.at(-1)!;
    const taken = path.join(workDir, 'lines-taken');
    cpSync(dir, taken, { recursive: true });
    const stealing = `${String(domainLatest.version + 1).padStart(4, '0')}-steal`;
    cpSync(path.join(taken, domainLatest.folder), path.join(taken, stealing), { recursive: true });
    const domainSchema = JSON.parse(readFileSync(path.join(taken, stealing, 'schema.json'), 'utf8'));
    domainSchema.collections.push(
      schema.collections.find((row: { collection: string }) => row.collection === 'workflow_history'),
    );
    writeFileSync(path.join(taken, stealing, 'schema.json'), canonicalJson(domainSchema));
    resealVersion(taken, stealing);
    const refused = await runScript('migrate', ['--database-url', urlOf(db), '--dir', taken], undefined, platformEnv);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("defines workflow_history, which the platform's snapshot line owns");

    // A database of the old cut (domain versions, no platform ledger) is refused with what to do.
    await withClient(db, (client) => client.query('drop table groundwork_platform_migrations'));
    const oldCut = await runScript('migrate', args, undefined, platformEnv);
    expect(oldCut.code).toBe(1);
    expect(oldCut.output).toContain('before the platform had its own snapshot line');
    expect(await domainRows()).toEqual(before);
  }, 900_000);

  it('finishes the job after runs killed (SIGKILL) during the install and while applying the schema', async () => {
    const db = await emptyDatabase('snap_killed');
    const dir = copyOfSnapshots('killed');
    const last = addSecondStep(dir);
    const lineVersions = listVersions(dir).map((version) => version.version);
    const args = ['--database-url', urlOf(db), '--dir', dir];
    const installMarker = () =>
      withClient(db, async (client) => {
        const found = await client.query("select to_regclass('groundwork_install_pending') is not null as found");
        return found.rows[0].found as boolean;
      });

    // 1. Killed during Directus's install: once its marker table exists, i.e. some system tables are made.
    let polling: Promise<void> | undefined;
    const duringInstall = await runScript('migrate', args, (output, child) => {
      if (polling || !output.includes('empty database: installing')) return;
      polling = (async () => {
        while (!(await installMarker())) await new Promise((resolve) => setTimeout(resolve, 20));
        child.kill('SIGKILL');
      })();
    });
    await polling;
    expect(duringInstall.signal).toBe('SIGKILL');
    expect(await installMarker()).toBe(true);

    // 2. Killed inside the transaction of the last step, after the interrupted install was redone and the first
    // step (the platform's version and the domain's first: one transaction, decision 0029) was committed.
    const lastStep = new RegExp(`applying the schema of .*${last}`);
    const duringSchema = await runScript('migrate', args, (output, child) => {
      if (lastStep.test(output)) child.kill('SIGKILL');
    });
    expect(duringSchema.signal).toBe('SIGKILL');
    expect(duringSchema.output).toContain('an earlier install was interrupted: removed its tables and installed again');
    expect(duringSchema.output).toContain(`applied ${latest}`);
    expect(duringSchema.output).not.toContain(`applied ${last}`);
    expect(await ledgerVersions(db)).toEqual(lineVersions.slice(0, -1));

    // 3. A rerun finishes the job: the same ledger and state as a clean migrate.
    const rerun = await runScript('migrate', args);
    expect(rerun.code).toBe(0);
    expect(rerun.output).not.toContain(`applied ${latest}`);
    expect(rerun.output).toContain(`applied ${last}`);
    expect(await ledgerVersions(db)).toEqual(lineVersions);
    const admins = await withClient(db, (client) => client.query('select email from directus_users'));
    expect(admins.rows).toEqual([{ email: TEST_ADMIN.email }]);
    const check = await runScript('snapshot', ['--check', ...args]);
    expect(check.output).toContain(`matches ${last}`);
    expect(check.code).toBe(0);
  }, 900_000);
});

describe('snapshot round trip and drift', () => {
  it('carries a field, a permission and a flow to a fresh database, and names a field added by hand', async () => {
    const dir = copyOfSnapshots('round-trip');
    // A migrated copy of the stack's fixture template (migrating from empty is the first test's subject).
    const db = await fixtureTestDatabase('snap_trip');
    databases.push(db);
    const args = ['--database-url', urlOf(db), '--dir', dir];
    const instance = await startInstance({
      db,
      name: 'snapshots-round-trip',
      // The fixture domain's bundles: the platform's and the fixture's test-only one (its workflow guard).
      shipped: ['platform'],
      testExtensions: ['groundwork-fixture'],
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
          body: body === undefined ? undefined : JSON.stringify(body),
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
      // Settings: two allow-listed values and a secret that must stay out of the files.
      await send('PATCH', '/settings', {
        project_color: '#123456',
        public_note: 'Round trip',
        mapbox_key: 'pk.secret-not-in-snapshots',
      });
      // A shared bookmark is configuration; the admin's personal one is not.
      await send('POST', '/presets', {
        collection: 'gw_notes',
        bookmark: 'Titled',
        user: null,
        role: null,
        filter: { title: { _nnull: true } },
        layout_query: { tabular: { sort: ['title'] } },
      });
      const me = await send('GET', '/users/me', undefined);
      await send('POST', '/presets', { collection: 'gw_notes', bookmark: 'Mine', user: me.id });
    } finally {
      await instance.stop();
    }

    const captured = await runScript('snapshot', ['round trip', ...args]);
    expect(captured.code).toBe(0);
    expect(captured.output).toContain(next);
    expect(captured.output).toContain('+ field gw_notes.title');
    expect(captured.output).toContain('+ permission Note readers: gw_notes read');
    expect(captured.output).toContain('+ flow Log notes');
    expect(captured.output).toContain('+ setting project_color');
    expect(captured.output).toContain('+ setting public_note');
    expect(captured.output).toContain('+ preset gw_notes "Titled" for everyone');
    expect(captured.output).not.toContain('Mine');
    const settingsFile = readFileSync(path.join(dir, next, 'settings.json'), 'utf8');
    expect(settingsFile).not.toContain('secret-not-in-snapshots');
    expect(settingsFile).not.toContain('mapbox_key');
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
      const settings = await client.query('select project_color, public_note, mapbox_key from directus_settings');
      expect(settings.rows).toEqual([{ project_color: '#123456', public_note: 'Round trip', mapbox_key: null }]);
      const presets = await client.query(
        "select bookmark, role, filter, layout_query from directus_presets where collection = 'gw_notes'",
      );
      expect(presets.rows).toEqual([
        {
          bookmark: 'Titled',
          role: null,
          filter: { title: { _nnull: true } },
          layout_query: { tabular: { sort: ['title'] } },
        },
      ]);
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
    await withClient(db, (client) => client.query("update directus_settings set project_color = '#000000'"));
    await withClient(db, (client) =>
      client.query(
        "update directus_presets set bookmark = 'Renamed' where collection = 'gw_notes' and \"user\" is null",
      ),
    );
    const drift = await runScript('snapshot', ['--check', ...args]);
    expect(drift.code).toBe(1);
    expect(drift.output).toContain('+ field gw_notes.mood');
    expect(drift.output).toContain('~ setting project_color');
    expect(drift.output).toContain('- preset gw_notes "Titled" for everyone');
    expect(drift.output).toContain('+ preset gw_notes "Renamed" for everyone');
  }, 1_200_000); // three migrates and two Directus starts: minutes on a loaded 2-core machine
});

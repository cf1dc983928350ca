import { describe, expect, it } from '@jest/globals';
import { EMPTY_SETTINGS } from './settings.js';
import type { VersionState } from './state.js';
import {
  changedFiles,
  configSchema,
  hashFiles,
  parseState,
  parseVersionFolder,
  planMigration,
  renderState,
  versionChecksum,
  versionFolder,
  type VersionOnDisk,
} from './version.js';

function version(number: number, files: Record<string, string>, sealed = true): VersionOnDisk {
  const hashes = hashFiles(files);
  const checksum = versionChecksum(hashes);
  const folder = versionFolder(number, `v${number}`);
  return {
    version: number,
    name: `v${number}`,
    folder,
    hashes,
    checksum,
    manifest: sealed ? { version: number, name: `v${number}`, checksum, files: hashes } : null,
  };
}

describe('version folders', () => {
  it('numbers and slugs names, and reads them back', () => {
    expect(versionFolder(2, 'Add ticket priority!')).toBe('0002-add-ticket-priority');
    expect(parseVersionFolder('0002-add-ticket-priority')).toEqual({ version: 2, name: 'add-ticket-priority' });
    expect(parseVersionFolder('notes')).toBeNull();
    expect(() => versionFolder(3, '***')).toThrow('not a usable version name');
    expect(versionFolder(9999, 'last')).toBe('9999-last');
    expect(() => versionFolder(10000, 'one too many')).toThrow('version numbers stop at 9999');
  });
});

describe('checksums', () => {
  it('change with content and with file names, not with the manifest', () => {
    const one = versionChecksum(hashFiles({ 'a.json': '1', 'manifest.json': 'x' }));
    expect(versionChecksum(hashFiles({ 'a.json': '1', 'manifest.json': 'y' }))).toBe(one);
    expect(versionChecksum(hashFiles({ 'a.json': '2' }))).not.toBe(one);
    expect(versionChecksum(hashFiles({ 'b.json': '1' }))).not.toBe(one);
  });

  it('name the files that differ', () => {
    expect(changedFiles(hashFiles({ a: '1', b: '1' }), hashFiles({ a: '2', c: '1' }))).toEqual([
      'a (edited)',
      'b (removed)',
      'c (added)',
    ]);
  });
});

describe('planMigration', () => {
  const v1 = version(1, { 'schema.json': '{}' });
  const v2 = version(2, { 'schema.json': '{"x":1}' });
  const ledger = (v: VersionOnDisk) => ({ version: v.version, name: v.name, checksum: v.checksum, files: v.hashes });

  it('plans the versions the ledger lacks, in order', () => {
    expect(planMigration([v1, v2], [], 'snapshots')).toEqual({ ok: true, pending: [v1, v2], applied: 0, ahead: [] });
    expect(planMigration([v1, v2], [ledger(v1)], 'snapshots')).toEqual({
      ok: true,
      pending: [v2],
      applied: 1,
      ahead: [],
    });
    expect(planMigration([v1, v2], [ledger(v1), ledger(v2)], 'snapshots')).toMatchObject({ ok: true, pending: [] });
  });

  it('refuses an applied version whose files changed, naming the file', () => {
    const edited = version(1, { 'schema.json': '{"edited":true}' });
    const plan = planMigration([edited], [ledger(v1)], 'snapshots');
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.problems[0]).toContain('snapshots/0001-v1/schema.json (edited)');
  });

  it('refuses a version missing from disk, an out-of-order one, and an unsealed edit', () => {
    expect(planMigration([], [ledger(v1)], 'snapshots')).toMatchObject({ ok: false });
    expect(planMigration([v1, v2], [ledger(v2)], 'snapshots')).toMatchObject({ ok: false });
    const unsealed = { ...v2, checksum: 'f'.repeat(64), hashes: { 'migrate.ts': 'e'.repeat(64), ...v2.hashes } };
    const plan = planMigration([v1, unsealed], [ledger(v1)], 'snapshots');
    expect(!plan.ok && plan.problems[0]).toContain('snapshots/0002-v2/migrate.ts (added)');
  });

  it('lets the previous release run on a database a newer one migrated (a rollback), applying nothing', () => {
    const v3 = version(3, { 'schema.json': '{"x":3}' });
    expect(planMigration([v1], [ledger(v1), ledger(v2), ledger(v3)], 'snapshots')).toEqual({
      ok: true,
      pending: [],
      applied: 3,
      ahead: [ledger(v2), ledger(v3)],
    });
  });

  it('still refuses a gap: an applied version missing below the newest on disk, or no versions on disk at all', () => {
    const v3 = version(3, { 'schema.json': '{"x":3}' });
    expect(planMigration([v1, v3], [ledger(v1), ledger(v2), ledger(v3)], 'snapshots')).toEqual({
      ok: false,
      problems: ['version 2 (v2) was applied to this database but is not in snapshots'],
    });
    expect(planMigration([], [ledger(v1)], 'snapshots')).toMatchObject({ ok: false });
  });

  it('says what is wrong in each refusal', () => {
    expect(planMigration([], [ledger(v1)], 'snapshots')).toEqual({
      ok: false,
      problems: ['version 1 (v1) was applied to this database but is not in snapshots'],
    });
    expect(planMigration([v1, v2], [ledger(v2)], 'snapshots')).toEqual({
      ok: false,
      problems: ['0001-v1 is older than the newest applied version 2: renumber it'],
    });
  });

  it('refuses a pending version without a manifest (captured by hand, never sealed)', () => {
    const plan = planMigration([v1, version(2, { 'schema.json': '{}' }, false)], [ledger(v1)], 'snapshots');
    expect(plan).toEqual({ ok: false, problems: ['snapshots/0002-v2/manifest.json is missing'] });
  });

  it('still refuses an edited version when the ledger row predates recorded file hashes', () => {
    const edited = version(1, { 'schema.json': '{"edited":true}' });
    const plan = planMigration([edited], [{ ...ledger(v1), files: null }], 'snapshots');
    expect(!plan.ok && plan.problems[0]).toContain('snapshots/0001-v1/(files not recorded)');
  });
});

describe('parseState', () => {
  const state: VersionState = {
    schema: { version: 1, collections: [], fields: [], systemFields: [], relations: [] },
    access: { roles: [], policies: [], permissions: [], access: [] },
    flows: { flows: [], operations: [] },
    insights: { dashboards: [], panels: [] },
    data: { notification_rules: [{ event: 'ticket.created', id: 1 }] },
    settings: EMPTY_SETTINGS,
  };

  it('reads back what renderState wrote, data files included', () => {
    const files = renderState(state);
    expect(Object.keys(files).sort()).toEqual(['access.json', 'data/notification_rules.json', 'flows.json', 'schema.json']);
    expect(parseState(files, 'snapshots/0002-x')).toEqual(state);
  });

  it('writes insights.json only when the version ships dashboards, and reads them back', () => {
    const withDashboards: VersionState = {
      ...state,
      insights: {
        dashboards: [{ id: 'd1', name: 'Reports', icon: 'insights', note: null, color: null }],
        panels: [{ id: 'p1', dashboard: 'd1', type: 'metric', options: { collection: 'c' } }],
      },
    };
    const files = renderState(withDashboards);
    expect(Object.keys(files)).toContain('insights.json');
    expect(parseState(files, 'snapshots/0014-x')).toEqual(withDashboards);
  });

  it('names the folder and the file that is missing or malformed', () => {
    const files = renderState(state);
    const { 'flows.json': _flows, ...withoutFlows } = files;
    expect(() => parseState(withoutFlows, 'snapshots/0002-x')).toThrow('snapshots/0002-x/flows.json is missing');
    expect(() => parseState({ ...files, 'access.json': '{"roles":[]}' }, 'snapshots/0002-x')).toThrow(
      'snapshots/0002-x/access.json is not a valid snapshot file',
    );
    expect(() => parseState({ ...files, 'data/pages.json': '{"id":1}' }, 'snapshots/0002-x')).toThrow(
      'snapshots/0002-x/data/pages.json is not a valid snapshot file',
    );
  });

  it('names the file whose JSON does not parse (a bad merge), not just the position', () => {
    const files = { ...renderState(state), 'schema.json': '{\n<<<<<<< HEAD\n' };
    expect(() => parseState(files, 'snapshots/0002-x')).toThrow(
      /^snapshots\/0002-x\/schema\.json is not valid JSON: /,
    );
  });

  it('refuses a settings file with a key outside the allow list', () => {
    const files = { ...renderState(state), 'settings.json': '{"settings":{"mapbox_key":"pk"},"presets":[]}' };
    expect(() => parseState(files, 'snapshots/0002-x')).toThrow(
      'snapshots/0002-x/settings.json: settings mapbox_key are not in the allow list',
    );
  });
});

describe('configSchema', () => {
  it('takes a domain folder inside the repository, and nothing that leaves it', () => {
    expect(configSchema.parse({ domain: 'extensions/service-desk' })).toEqual({
      domain: 'extensions/service-desk',
      dataCollections: [],
    });
    expect(configSchema.parse({})).toEqual({ dataCollections: [] });
    for (const domain of ['../elsewhere', 'extensions/../../etc', '/etc', 'extensions/', '']) {
      expect(configSchema.safeParse({ domain }).success).toBe(false);
    }
  });
});

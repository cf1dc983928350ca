import { describe, expect, it } from '@jest/globals';
import {
  changedFiles,
  hashFiles,
  parseVersionFolder,
  planMigration,
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
    expect(planMigration([v1, v2], [], 'snapshots')).toEqual({ ok: true, pending: [v1, v2], applied: 0 });
    expect(planMigration([v1, v2], [ledger(v1)], 'snapshots')).toEqual({ ok: true, pending: [v2], applied: 1 });
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
});

import { describe, expect, it } from '@jest/globals';
import {
  buildManifest,
  checksumProblems,
  fileProblems,
  describeLedger,
  formatBytes,
  formatSeconds,
  isSafeRelativePath,
  ledgerProblems,
  missingFiles,
  parseManifest,
  relativeEntry,
  rowCountProblems,
  type Manifest,
} from './manifest.js';

const sum = (char: string) => char.repeat(64);

const manifest: Manifest = {
  format: 1,
  createdAt: '2026-12-03T01:00:00.000Z',
  groundwork: '0.1.0+abc1234',
  directus: '11.17.4',
  database: { name: 'directus', serverVersion: '15.20', serverMajor: 15, snapshot: '0000000A-00000007-1' },
  pgDump: { version: '15.20', major: 15 },
  ledgers: {
    platform: [{ version: 1, name: 'platform', checksum: sum('a') }],
    domain: [
      { version: 1, name: 'initial', checksum: sum('b') },
      { version: 2, name: 'sla', checksum: sum('c') },
    ],
  },
  tables: { 'public.tickets': 10, 'public.directus_users': 3 },
  dump: { file: 'database.dump', bytes: 1234, sha256: sum('d') },
  storage: {
    sourceRoot: '/srv/uploads',
    files: [
      { path: 'b.png', bytes: 5, sha256: sum('e') },
      { path: 'a/x.txt', bytes: 2, sha256: sum('f') },
    ],
    missing: [],
  },
  objects: [],
  durationMs: 1700,
};

const store = {
  location: 's3',
  driver: 's3' as const,
  bucket: 'groundwork-files',
  root: '',
  files: [
    { path: 'z.png', bytes: 5, sha256: sum('1') },
    { path: 'c.png', bytes: 3, sha256: sum('2') },
  ],
  missing: [],
};

describe('buildManifest and parseManifest', () => {
  it('round-trips, with tables and files in a stable order', () => {
    const text = buildManifest(manifest);
    const parsed = parseManifest(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.keys(parsed.value.tables)).toEqual(['public.directus_users', 'public.tickets']);
    expect(parsed.value.storage.files.map((file) => file.path)).toEqual(['a/x.txt', 'b.png']);
    expect(buildManifest(parsed.value)).toBe(text);
  });

  it('refuses text that is not JSON', () => {
    const parsed = parseManifest('{ not json');
    expect(parsed).toMatchObject({ ok: false });
    if (!parsed.ok) expect(parsed.problems[0]).toMatch(/manifest\.json is not JSON/);
  });

  it('names every invalid field with its path', () => {
    const broken = {
      ...manifest,
      format: 2,
      dump: { ...manifest.dump, sha256: 'XYZ' },
      tables: { 'public.tickets': -1 },
    };
    const parsed = parseManifest(JSON.stringify(broken));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.join('\n')).toMatch(/format/);
    expect(parsed.problems.join('\n')).toMatch(/dump\.sha256: a sha256 in lowercase hex/);
    expect(parsed.problems.join('\n')).toMatch(/tables\.public\.tickets/);
  });

  it('refuses a file path that would leave the storage root', () => {
    const escaping = {
      ...manifest,
      storage: { ...manifest.storage, files: [{ path: '../../etc/passwd', bytes: 1, sha256: sum('a') }] },
    };
    const parsed = parseManifest(JSON.stringify(escaping));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toMatch(/storage\.files\.0\.path/);
  });

  it('refuses a file listed twice', () => {
    const twice = {
      ...manifest,
      storage: { ...manifest.storage, files: [manifest.storage.files[0], manifest.storage.files[0]] },
    };
    const parsed = parseManifest(JSON.stringify(twice));
    expect(parsed).toEqual({ ok: false, problems: ['manifest.json: file b.png is listed twice'] });
  });

  it('will not build a manifest the schema refuses', () => {
    expect(() => buildManifest({ ...manifest, createdAt: 'yesterday' })).toThrow();
  });
});

describe('isSafeRelativePath', () => {
  it.each([
    ['a.png', true],
    ['folder/a.png', true],
    ['..a.png', true],
    ['', false],
    ['/etc/passwd', false],
    ['../a', false],
    ['a/../../b', false],
    ['a//b', false],
    ['./a', false],
    ['a\\b', false],
    ['a\0b', false],
  ])('%j -> %s', (value, safe) => {
    expect(isSafeRelativePath(value)).toBe(safe);
  });
});

describe('checksumProblems', () => {
  const expected = { dump: manifest.dump, files: manifest.storage.files };

  it('finds nothing when everything matches', () => {
    expect(checksumProblems(expected, { dump: manifest.dump, files: [...manifest.storage.files].reverse() })).toEqual(
      [],
    );
  });

  it('names a changed dump, a changed file, a missing file and an unlisted one', () => {
    const problems = checksumProblems(expected, {
      dump: { bytes: 1234, sha256: sum('0') },
      files: [
        { path: 'b.png', bytes: 5, sha256: sum('1') },
        { path: 'extra.txt', bytes: 1, sha256: sum('2') },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^database\.dump: sha256 0+ \(1234 bytes\) differs from the manifest's d+/),
      expect.stringMatching(/^files\/b\.png: sha256 1+ differs/),
      'files/a/x.txt is missing',
      'files/extra.txt is not in the manifest',
    ]);
  });

  it('names a missing dump, and a dump of another size', () => {
    expect(checksumProblems(expected, { dump: null, files: manifest.storage.files })).toEqual([
      'database.dump is missing',
    ]);
    expect(
      checksumProblems(expected, { dump: { bytes: 1, sha256: sum('d') }, files: manifest.storage.files }),
    ).toHaveLength(1);
  });

  it('counts a file of another size with the same sum as changed', () => {
    const files = [{ ...manifest.storage.files[0]!, bytes: 6 }, manifest.storage.files[1]!];
    expect(checksumProblems(expected, { dump: manifest.dump, files })).toEqual([
      expect.stringMatching(/^files\/b\.png/),
    ]);
  });
});

describe('rowCountProblems', () => {
  it('finds nothing when the counts are equal', () => {
    expect(rowCountProblems({ a: 1, b: 0 }, { b: 0, a: 1 })).toEqual([]);
  });

  it('names a differing count, a missing table and an extra one', () => {
    expect(rowCountProblems({ 'public.a': 5, 'public.b': 2 }, { 'public.a': 4, 'public.c': 0 })).toEqual([
      'table public.a: 4 rows after the restore, 5 in the backup',
      'table public.b (2 rows in the backup) is missing after the restore',
      "table public.c is not in the backup's manifest",
    ]);
  });
});

describe('ledgerProblems', () => {
  it('finds nothing for equal ledgers', () => {
    expect(ledgerProblems(manifest.ledgers, structuredClone(manifest.ledgers))).toEqual([]);
  });

  it('names the line whose versions differ', () => {
    const actual = { ...manifest.ledgers, domain: manifest.ledgers.domain.slice(0, 1) };
    expect(ledgerProblems(manifest.ledgers, actual)).toEqual([
      expect.stringMatching(
        /^domain ledger after the restore is \[1 initial b{12}\], the backup's is \[1 initial b{12}, 2 sla c{12}\]$/,
      ),
    ]);
  });
});

describe('small helpers', () => {
  it('describes a ledger', () => {
    expect(describeLedger(manifest.ledgers.domain)).toBe('2 version(s), latest 2 sla');
    expect(describeLedger([])).toBe('no versions');
  });

  it('lists the named files that are not present, once each, sorted', () => {
    expect(missingFiles(['b', 'a', 'b', 'c'], ['c'])).toEqual(['a', 'b']);
  });

  it('gives a forward-slash path inside the root', () => {
    expect(relativeEntry('/srv/uploads', '/srv/uploads/a/b.png')).toBe('a/b.png');
  });

  it('formats bytes and seconds', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(11.1 * 1024 * 1024)).toBe('11.1 MB');
    expect(formatBytes(3 * 1024 ** 5)).toBe('3072.0 TB');
    expect(formatSeconds(1234)).toBe('1.2 s');
  });
});

describe('object stores in the manifest', () => {
  it('round-trip with their objects in a stable order, and default to none in older manifests', () => {
    const parsed = parseManifest(buildManifest({ ...manifest, objects: [store] }));
    expect(parsed.ok && parsed.value.objects[0]!.files.map((file) => file.path)).toEqual(['c.png', 'z.png']);
    const { objects: _objects, ...older } = manifest;
    const parsedOlder = parseManifest(JSON.stringify(older));
    expect(parsedOlder.ok && parsedOlder.value.objects).toEqual([]);
  });

  it.each([
    ['a key that would leave the folder', { ...store, files: [{ path: '../x', bytes: 1, sha256: sum('1') }] }],
    ['an object listed twice', { ...store, files: [store.files[0], store.files[0]] }],
    ['a location name with a slash', { ...store, location: 's3/../x' }],
  ])('refuse %s', (_label, bad) => {
    expect(parseManifest(JSON.stringify({ ...manifest, objects: [bad] })).ok).toBe(false);
  });

  it('refuse a location listed twice', () => {
    const parsed = parseManifest(JSON.stringify({ ...manifest, objects: [store, store] }));
    expect(parsed.ok ? [] : parsed.problems).toEqual([expect.stringContaining('location s3 is listed twice')]);
  });

  it('are checked like files, under their own folder', () => {
    const changed = [{ ...store.files[0]!, sha256: sum('9') }];
    expect(fileProblems(store.files, changed, 'objects/s3')).toEqual([
      `objects/s3/z.png: sha256 ${sum('9')} differs from the manifest's ${sum('1')}`,
      'objects/s3/c.png is missing',
    ]);
  });
});

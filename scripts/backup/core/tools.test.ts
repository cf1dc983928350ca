import { describe, expect, it } from '@jest/globals';
import {
  chooseTool,
  nonEmptyReason,
  parseToolVersion,
  serverMajor,
  storageRootFrom,
  toolCandidates,
  toolVariable,
} from './tools.js';

describe('parseToolVersion', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n', { version: '15.20', major: 15 }],
    ['pg_restore (PostgreSQL) 18.1', { version: '18.1', major: 18 }],
    ['pg_dump (PostgreSQL) 9.6.24', { version: '9.6.24', major: 9 }],
    ['pg_dump (PostgreSQL) 17', { version: '17', major: 17 }],
  ])('%j', (output, expected) => {
    expect(parseToolVersion(output)).toEqual(expected);
  });

  it('gives null for something else', () => {
    expect(parseToolVersion('usage: something')).toBeNull();
  });
});

describe('serverMajor', () => {
  it('reads server_version_num', () => {
    expect(serverMajor('180001')).toBe(18);
    expect(serverMajor(150020)).toBe(15);
  });

  it('refuses what is not one', () => {
    expect(() => serverMajor('15.2')).toThrow(/server_version_num/);
    expect(() => serverMajor(0)).toThrow();
  });
});

describe('toolCandidates', () => {
  it('searches PATH, then Debian folders newest first, without duplicates', () => {
    const { explicit, candidates } = toolCandidates('pg_dump', { PATH: '/usr/local/bin:/usr/bin:/usr/bin' }, [15, 18]);
    expect(explicit).toBeNull();
    expect(candidates).toEqual([
      '/usr/local/bin/pg_dump',
      '/usr/bin/pg_dump',
      '/usr/lib/postgresql/18/bin/pg_dump',
      '/usr/lib/postgresql/15/bin/pg_dump',
    ]);
  });

  it('takes only what PG_DUMP / PG_RESTORE or PG_BIN_DIR name when set', () => {
    expect(toolCandidates('pg_dump', { PG_DUMP: '/opt/pg18/bin/pg_dump', PATH: '/usr/bin' }, [15])).toEqual({
      explicit: '/opt/pg18/bin/pg_dump',
      candidates: ['/opt/pg18/bin/pg_dump'],
    });
    expect(toolCandidates('pg_restore', { PG_BIN_DIR: '/opt/pg18/bin', PATH: '/usr/bin' })).toEqual({
      explicit: '/opt/pg18/bin/pg_restore',
      candidates: ['/opt/pg18/bin/pg_restore'],
    });
  });

  it('copes with no PATH', () => {
    expect(toolCandidates('pg_dump', {}).candidates).toEqual([]);
  });

  it('names the variables', () => {
    expect(toolVariable('pg_dump')).toBe('PG_DUMP');
    expect(toolVariable('pg_restore')).toBe('PG_RESTORE');
  });
});

describe('chooseTool', () => {
  const pg15 = { path: '/usr/bin/pg_dump', version: '15.20', major: 15 };
  const pg18 = { path: '/usr/lib/postgresql/18/bin/pg_dump', version: '18.1', major: 18 };

  it('takes the first tool at least as new as the server', () => {
    expect(chooseTool('pg_dump', [pg15, pg18], 15, null, 'x')).toEqual({ ok: true, tool: pg15 });
    expect(chooseTool('pg_dump', [pg15, pg18], 18, null, 'x')).toEqual({ ok: true, tool: pg18 });
  });

  it('says what to install when every tool is older than the server', () => {
    const choice = chooseTool('pg_dump', [pg15], 18, null, 'backing up PostgreSQL 18.1');
    expect(choice.ok).toBe(false);
    if (choice.ok) return;
    expect(choice.message).toMatch(
      /^backing up PostgreSQL 18\.1 needs pg_dump 18 or newer; found pg_dump 15\.20 \(\/usr\/bin\/pg_dump\)/,
    );
    expect(choice.message).toMatch(/postgresql-client-18/);
    expect(choice.message).toMatch(/PG_BIN_DIR/);
    expect(choice.message).toMatch(/PG_DUMP to the binary/);
  });

  it('says when none is found, and when the named one is not there', () => {
    const none = chooseTool('pg_restore', [], 15, null, 'x');
    expect(!none.ok && none.message).toMatch(/no pg_restore on PATH/);
    const named = chooseTool('pg_restore', [], 15, '/opt/nothing/pg_restore', 'x');
    expect(!named.ok && named.message).toMatch(/\/opt\/nothing\/pg_restore does not exist/);
  });
});

describe('storageRootFrom', () => {
  it('resolves STORAGE_LOCAL_ROOT against the repository', () => {
    expect(storageRootFrom({ STORAGE_LOCAL_ROOT: './.data/uploads' }, '/repo', '/repo/.data')).toEqual({
      root: '/repo/.data/uploads',
      otherLocations: [],
    });
    expect(storageRootFrom({ STORAGE_LOCAL_ROOT: '/srv/files' }, '/repo', '/repo/.data').root).toBe('/srv/files');
  });

  it('defaults to .data/uploads and names the locations that are not local', () => {
    expect(storageRootFrom({ STORAGE_LOCATIONS: 'local, s3' }, '/repo', '/repo/.data')).toEqual({
      root: '/repo/.data/uploads',
      otherLocations: ['s3'],
    });
  });
});

describe('nonEmptyReason', () => {
  it('is null for an empty database', () => {
    expect(nonEmptyReason([], 'fresh')).toBeNull();
  });

  it('names a few relations and how many more', () => {
    const relations = Array.from({ length: 7 }, (_, index) => `public.t${index}`);
    expect(nonEmptyReason(relations, 'used')).toMatch(
      /^database "used" is not empty \(public\.t0, public\.t1, public\.t2, public\.t3, public\.t4 and 2 more\)/,
    );
    expect(nonEmptyReason(['public.a'], 'used')).toMatch(/\(public\.a\): a restore goes into a new or empty database/);
  });
});

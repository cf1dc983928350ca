import { describe, expect, it, jest } from '@jest/globals';
import {
  ACCESS_TABLES,
  clearFor,
  coalescedPurge,
  collectionTables,
  dropTriggerStatement,
  POLICY_TABLES,
  purgeWithSettle,
  triggerStatement,
  triggersToInstall,
  triggersToRemove,
  watchedTables,
} from './purge.js';

describe('collectionTables', () => {
  it("is every table but Directus's own and DB_EXCLUDE_TABLES", () => {
    expect(
      collectionTables(['tickets', 'directus_users', 'spatial_ref_sys', 'organizations'], ['spatial_ref_sys']),
    ).toEqual(['tickets', 'organizations']);
  });
});

describe('watchedTables', () => {
  const watched = watchedTables({
    responseCache: true,
    collectionTables: ['tickets', 'organizations', 'directus_files'],
    usersColumns: ['id', 'role', 'last_access', 'status', 'organization', 'last_page', 'email'],
  });

  it('watches the access tables, the system data tables and every collection table, each once', () => {
    const tables = watched.map((watch) => watch.table);
    for (const table of [...ACCESS_TABLES, 'directus_files', 'directus_notifications', 'tickets', 'organizations'])
      expect(tables).toContain(table);
    expect(new Set(tables).size).toBe(tables.length);
    expect(tables).not.toContain('directus_activity');
    expect(tables).not.toContain('directus_sessions');
  });

  it("names directus_users' columns but the ones every login writes, a domain's own included", () => {
    expect(watched.find((watch) => watch.table === 'directus_users')?.updateOf).toEqual([
      'email',
      'id',
      'organization',
      'role',
      'status',
    ]);
    expect(watched.find((watch) => watch.table === 'tickets')?.updateOf).toBeNull();
  });

  it('with the response cache off, watches the policy tables only (the permissions cache is always on)', () => {
    const off = watchedTables({ responseCache: false, collectionTables: ['tickets'], usersColumns: ['id', 'role'] });
    expect(off).toEqual(POLICY_TABLES.map((table) => ({ table, updateOf: null })));
    expect(off.map((watch) => watch.table)).not.toContain('directus_users');
  });
});

describe('triggersToRemove', () => {
  it('names the installed triggers on tables no longer watched', () => {
    const wanted = POLICY_TABLES.map((table) => ({ table, updateOf: null }));
    const installed = [
      { table: 'directus_access', columns: [] },
      { table: 'tickets', columns: [] },
      { table: 'directus_users', columns: ['role'] },
    ];
    expect(triggersToRemove(wanted, installed)).toEqual(['tickets', 'directus_users']);
    expect(triggersToRemove(wanted, [{ table: 'directus_access', columns: [] }])).toEqual([]);
    expect(dropTriggerStatement('odd"name')).toBe('DROP TRIGGER IF EXISTS groundwork_cache_purge ON "odd""name"');
  });
});

describe('triggersToInstall', () => {
  const wanted = [
    { table: 'tickets', updateOf: null },
    { table: 'directus_users', updateOf: ['organization', 'role'] },
    { table: 'organizations', updateOf: null },
  ];

  it('leaves alone what is installed as wanted, in any column order', () => {
    const installed = [
      { table: 'tickets', columns: [] },
      { table: 'directus_users', columns: ['role', 'organization'] },
      { table: 'organizations', columns: [] },
    ];
    expect(triggersToInstall(wanted, installed)).toEqual([]);
  });

  it('installs the missing ones and the users trigger again when its columns changed', () => {
    const installed = [
      { table: 'tickets', columns: [] },
      { table: 'directus_users', columns: ['role'] },
    ];
    expect(triggersToInstall(wanted, installed).map((watch) => watch.table)).toEqual([
      'directus_users',
      'organizations',
    ]);
  });
});

describe('triggerStatement', () => {
  it('is a statement trigger on every kind of write, quoting names', () => {
    const sql = triggerStatement({ table: 'odd"name', updateOf: null }).replace(/\s+/g, ' ');
    expect(sql).toContain('AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "odd""name" FOR EACH STATEMENT');
    const users = triggerStatement({ table: 'directus_users', updateOf: ['role', 'status'] }).replace(/\s+/g, ' ');
    expect(users).toContain('AFTER INSERT OR UPDATE OF "role", "status" OR DELETE OR TRUNCATE ON "directus_users"');
  });
});

describe('clearFor', () => {
  const on = { responseCache: true, autoPurge: true, ignored: ['directus_presets', 'audit_log'] };

  it('clears the permissions cache for a policy table, with the response cache on or off', () => {
    for (const responseCache of [true, false])
      expect(POLICY_TABLES.map((table) => clearFor(table, { ...on, responseCache, autoPurge: false }))).toEqual(
        POLICY_TABLES.map(() => 'permissions'),
      );
  });

  it('clears responses for another access table always, for data only with CACHE_AUTO_PURGE and off its ignore list', () => {
    const noAuto = { ...on, autoPurge: false };
    expect(clearFor('directus_users', noAuto)).toBe('responses');
    expect(ACCESS_TABLES.every((table) => clearFor(table, noAuto) !== null)).toBe(true);
    expect(clearFor('tickets', noAuto)).toBeNull();
    expect(clearFor('tickets', on)).toBe('responses');
    expect(clearFor('audit_log', on)).toBeNull();
    expect(clearFor('directus_users', { ...on, ignored: ['directus_users'] })).toBe('responses');
  });

  it('clears no responses with the response cache off', () => {
    const off = { ...on, responseCache: false };
    expect(clearFor('tickets', off)).toBeNull();
    expect(clearFor('directus_users', off)).toBeNull();
  });
});

describe('coalescedPurge', () => {
  it('runs one purge at a time and one more for any request made while it ran', async () => {
    const releases: Array<() => void> = [];
    const purge = jest.fn(() => new Promise<void>((resolve) => releases.push(resolve)));
    const request = coalescedPurge(purge, () => undefined);
    request();
    request();
    request();
    expect(purge).toHaveBeenCalledTimes(1);
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(purge).toHaveBeenCalledTimes(2);
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(purge).toHaveBeenCalledTimes(2);
    request();
    expect(purge).toHaveBeenCalledTimes(3);
  });

  it('reports a failed purge and purges again on the next request', async () => {
    const errors: unknown[] = [];
    const purge = jest.fn(async () => {
      throw new Error('redis down');
    });
    const request = coalescedPurge(purge, (error) => errors.push(error));
    request();
    await new Promise((resolve) => setImmediate(resolve));
    request();
    await new Promise((resolve) => setImmediate(resolve));
    expect(purge).toHaveBeenCalledTimes(2);
    expect(errors).toHaveLength(2);
  });
});

describe('purgeWithSettle', () => {
  it('purges at once and once more after the last request settles, not once per request', () => {
    const timers: Array<{ callback: () => void; ms: number }> = [];
    const purge = jest.fn();
    const request = purgeWithSettle(purge, 2000, { set: (callback, ms) => timers.push({ callback, ms }) });
    request();
    request();
    expect(purge).toHaveBeenCalledTimes(2);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.ms).toBe(2000);
    // A request came after the timer was set: its settle purge is followed by another one.
    timers.shift()?.callback();
    expect(purge).toHaveBeenCalledTimes(3);
    expect(timers).toHaveLength(1);
    timers.shift()?.callback();
    expect(purge).toHaveBeenCalledTimes(4);
    expect(timers).toHaveLength(0);
    // Quiet again: the next request starts a new cycle.
    request();
    expect(purge).toHaveBeenCalledTimes(5);
    expect(timers).toHaveLength(1);
  });
});

import { describe, expect, it } from '@jest/globals';
import { diffStates, describeChanges } from './diff.js';
import { checkSettingsKeys, EMPTY_SETTINGS, normalizeSettings, presetKey, resolveSettingsAdmin } from './settings.js';
import { BOOTSTRAP_ADMIN, type VersionState } from './state.js';
import { parseState, renderState } from './version.js';

const defaults = {
  id: 1,
  project_name: 'Directus',
  project_color: '#6644FF',
  auth_login_attempts: 25,
  auth_password_policy: null,
  public_registration: false,
  public_registration_verify_email: true,
  public_registration_role: null,
  module_bar: null,
  mapbox_key: null,
  ai_openai_api_key: null,
};
const admin = { role: 'r-admin', policy: 'p-admin' };

describe('normalizeSettings', () => {
  it('keeps only allow-listed values that differ from the defaults, never secrets', () => {
    const state = normalizeSettings({
      row: {
        ...defaults,
        project_name: 'Service desk',
        auth_login_attempts: 5,
        mapbox_key: 'pk.secret',
        ai_openai_api_key: 'sk-secret',
        project_id: 'per-install',
      },
      defaults,
      presets: [],
      admin,
    });
    expect(state.settings).toEqual({ auth_login_attempts: 5, project_name: 'Service desk' });
    expect(JSON.stringify(state)).not.toContain('secret');
  });

  it('reads a database without a settings row as the defaults', () => {
    expect(normalizeSettings({ row: null, defaults, presets: [], admin })).toEqual(EMPTY_SETTINGS);
  });

  it('compares json settings as values, whether the driver gave text or objects', () => {
    const state = normalizeSettings({
      row: { ...defaults, module_bar: '[{"type":"module","id":"content","enabled":true}]' },
      defaults,
      presets: [],
      admin,
    });
    expect(state.settings.module_bar).toEqual([{ enabled: true, id: 'content', type: 'module' }]);
  });

  it('keeps shared presets only, names the bootstrap admin by token, and refuses two for one identity', () => {
    const shared = { id: 7, user: null, role: 'r-admin', collection: 'tickets', bookmark: 'Open', filter: '{"a":1}' };
    const personal = { id: 8, user: 'u1', role: null, collection: 'tickets', bookmark: null };
    const state = normalizeSettings({ row: null, defaults, presets: [shared, personal], admin });
    expect(state.presets).toHaveLength(1);
    expect(state.presets[0]).toMatchObject({ role: BOOTSTRAP_ADMIN, collection: 'tickets', filter: { a: 1 } });
    expect(state.presets[0]).not.toHaveProperty('id');
    expect(presetKey(state.presets[0]!)).toBe(`${BOOTSTRAP_ADMIN}/tickets/Open`);
    expect(() => normalizeSettings({ row: null, defaults, presets: [shared, { ...shared, id: 9 }], admin })).toThrow(
      /two shared presets/,
    );
    expect(resolveSettingsAdmin(state, { role: 'r-local', policy: null }).presets[0]?.role).toBe('r-local');
  });

  it('names the admin role by token in public registration, and resolves it or fails without one', () => {
    const state = normalizeSettings({
      row: { ...defaults, public_registration: true, public_registration_role: 'r-admin' },
      defaults,
      presets: [],
      admin,
    });
    expect(state.settings).toEqual({ public_registration: true, public_registration_role: BOOTSTRAP_ADMIN });
    expect(resolveSettingsAdmin(state, { role: 'r-local', policy: null }).settings.public_registration_role).toBe(
      'r-local',
    );
    expect(() => resolveSettingsAdmin(state, { role: null, policy: null })).toThrow(
      'refers to the Administrator role, which the database lacks',
    );
    // Another role stays as it is.
    const other = normalizeSettings({ row: { ...defaults, public_registration_role: 'r-customer' }, defaults, presets: [], admin });
    expect(resolveSettingsAdmin(other, { role: null, policy: null }).settings).toEqual({
      public_registration_role: 'r-customer',
    });
  });

  it('keeps a json setting that is not valid JSON text as the text (no crash, and still a difference)', () => {
    const state = normalizeSettings({ row: { ...defaults, module_bar: '[{broken' }, defaults, presets: [], admin });
    expect(state.settings.module_bar).toBe('[{broken');
  });

  it('orders presets by collection, role and bookmark, whatever the database returned', () => {
    const preset = (collection: string, role: string | null, bookmark: string | null) => ({
      user: null,
      collection,
      role,
      bookmark,
    });
    const state = normalizeSettings({
      row: null,
      defaults,
      presets: [preset('tickets', 'r-b', null), preset('articles', null, null), preset('tickets', null, 'Mine'), preset('tickets', null, null)],
      admin,
    });
    expect(state.presets.map(presetKey)).toEqual(['*/articles/', '*/tickets/', '*/tickets/Mine', 'r-b/tickets/']);
  });

  it('refuses a settings file with a key outside the allow list', () => {
    expect(() => checkSettingsKeys({ settings: { mapbox_key: 'x' }, presets: [] }, 'v/settings.json')).toThrow(
      /mapbox_key are not in the allow list/,
    );
  });
});

describe('settings.json in a version', () => {
  const state: VersionState = {
    schema: { version: 1, collections: [], fields: [], systemFields: [], relations: [] },
    access: { roles: [], policies: [], permissions: [], access: [] },
    flows: { flows: [], operations: [] },
    insights: { dashboards: [], panels: [] },
    data: {},
    settings: EMPTY_SETTINGS,
  };

  it('is written only when something differs from the defaults, and reads back the same', () => {
    expect(Object.keys(renderState(state))).not.toContain('settings.json');
    const changed = {
      ...state,
      settings: { settings: { public_registration: true }, presets: [{ collection: 'tickets', role: null, bookmark: null }] },
    };
    const files = renderState(changed);
    expect(Object.keys(files)).toContain('settings.json');
    expect(parseState(files, 'v').settings).toEqual(changed.settings);
    expect(parseState(renderState(state), 'v').settings).toEqual(EMPTY_SETTINGS);
    expect(describeChanges(diffStates(state, changed))).toEqual([
      '+ setting public_registration',
      '+ preset tickets default for everyone',
    ]);
  });
});

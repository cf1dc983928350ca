// Project settings (directus_settings) and shared presets (directus_presets without a user) as part of a version.
// Only an explicit allow list of settings is configuration: secrets (API keys), per-install ids and file ids are
// not, and stay as each environment has them. A version holds only the values that differ from Directus's column
// defaults, so a version without settings.json means "Directus's defaults, no shared presets".
import { sortKeysDeep, sortRows, type Json } from './canonical.js';
import { BOOTSTRAP_ADMIN, type BootstrapAdmin } from './state.js';

type Row = Record<string, Json>;

/** The directus_settings columns a version carries. Never add a secret here (mapbox_key, ai_*_api_key, ...). */
export const SETTINGS_KEYS = [
  'project_name',
  'project_descriptor',
  'project_url',
  'project_color',
  'default_language',
  'default_appearance',
  'public_note',
  'auth_password_policy',
  'auth_login_attempts',
  'public_registration',
  'public_registration_role',
  'public_registration_verify_email',
  'public_registration_email_filter',
  'storage_asset_transform',
  'storage_asset_presets',
  'module_bar',
] as const;
export type SettingsKey = (typeof SETTINGS_KEYS)[number];

/** Settings columns Postgres stores as json. */
export const SETTINGS_JSON_KEYS = new Set<string>(['public_registration_email_filter', 'storage_asset_presets', 'module_bar']);

export const PRESET_COLUMNS = [
  'bookmark',
  'role',
  'collection',
  'search',
  'layout',
  'layout_query',
  'layout_options',
  'refresh_interval',
  'filter',
  'icon',
  'color',
] as const;
export const PRESET_JSON_COLUMNS = new Set<string>(['layout_query', 'layout_options', 'filter']);

export interface SettingsState {
  /** Allow-listed settings whose value differs from Directus's default. */
  settings: Record<string, Json>;
  /** Presets and bookmarks for everyone (role null) or for a role; personal ones (user set) are not configuration. */
  presets: Row[];
}

export const EMPTY_SETTINGS: SettingsState = { settings: {}, presets: [] };

/** Postgres returns json columns parsed, but some drivers and older rows hold JSON text: compare parsed values. */
function parseJsonText(value: unknown): Json {
  if (typeof value !== 'string') return (value ?? null) as Json;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

const same = (a: Json, b: Json) => JSON.stringify(sortKeysDeep(a)) === JSON.stringify(sortKeysDeep(b));

/** Identity of a shared preset: who it is for, which collection, and which bookmark (or the default). */
export const presetKey = (row: Row) => `${row.role ?? '*'}/${row.collection}/${row.bookmark ?? ''}`;

/**
 * The settings row (or null when Directus has not written one yet) and the row Directus would create, reduced to
 * the allow-listed values that differ from the defaults; presets without a user, in a fixed order.
 */
export function normalizeSettings(raw: {
  row: Record<string, unknown> | null;
  defaults: Record<string, unknown>;
  presets: Array<Record<string, unknown>>;
  admin: BootstrapAdmin;
}): SettingsState {
  const settings: Record<string, Json> = {};
  for (const key of SETTINGS_KEYS) {
    const parse = (value: unknown) => (SETTINGS_JSON_KEYS.has(key) ? parseJsonText(value) : ((value ?? null) as Json));
    const fallback = parse(raw.defaults[key]);
    const value = raw.row ? parse(raw.row[key]) : fallback;
    if (!same(value, fallback)) settings[key] = sortKeysDeep(value);
  }
  if (settings.public_registration_role && settings.public_registration_role === raw.admin.role) {
    settings.public_registration_role = BOOTSTRAP_ADMIN;
  }
  const presets = raw.presets
    .filter((row) => row.user === null || row.user === undefined)
    .map((row): Row => {
      const picked = Object.fromEntries(
        PRESET_COLUMNS.map((column) => {
          const value = PRESET_JSON_COLUMNS.has(column) ? parseJsonText(row[column]) : ((row[column] ?? null) as Json);
          return [column, sortKeysDeep(value)];
        }),
      ) as Row;
      if (picked.role && picked.role === raw.admin.role) picked.role = BOOTSTRAP_ADMIN;
      return picked;
    });
  const seen = new Set<string>();
  for (const row of presets) {
    const key = presetKey(row);
    if (seen.has(key)) throw new Error(`two shared presets for ${key}: delete one in the admin app first`);
    seen.add(key);
  }
  return {
    settings: sortKeysDeep(settings) as Record<string, Json>,
    presets: sortRows(presets, (row) => [row.collection as string, row.role as string | null, row.bookmark as string | null]),
  };
}

export const isEmptySettings = (state: SettingsState) =>
  Object.keys(state.settings).length === 0 && state.presets.length === 0;

/** Replaces the bootstrap-admin token with this database's Administrator role id. */
export function resolveSettingsAdmin(state: SettingsState, admin: BootstrapAdmin): SettingsState {
  const swap = (value: Json | undefined): Json => {
    if (value !== BOOTSTRAP_ADMIN) return value ?? null;
    if (!admin.role) throw new Error('this version refers to the Administrator role, which the database lacks');
    return admin.role;
  };
  const settings = { ...state.settings };
  if ('public_registration_role' in settings) settings.public_registration_role = swap(settings.public_registration_role);
  return { settings, presets: state.presets.map((row) => ({ ...row, role: swap(row.role) })) };
}

/** Rejects a settings file that names a key outside the allow list (a hand edit, or a secret slipping in). */
export function checkSettingsKeys(state: SettingsState, where: string): void {
  const allowed = new Set<string>(SETTINGS_KEYS);
  const unknown = Object.keys(state.settings).filter((key) => !allowed.has(key));
  if (unknown.length) throw new Error(`${where}: settings ${unknown.join(', ')} are not in the allow list`);
}

// Storage locations as Directus 11.17.4 reads them from the env (`storage/register-locations.js`): STORAGE_LOCATIONS
// names them, the first one takes new uploads, and each location's options are its STORAGE_<NAME>_* variables in
// camelCase (getConfigFromEnv). The rules Groundwork adds for S3 (decision 0048) are checked here, for `npm start`,
// the hook's env check and the backup scripts alike. Pure: no @directus imports.

export type RawEnv = Record<string, unknown>;

export interface StorageLocation {
  /** As named in STORAGE_LOCATIONS (the `storage` column of directus_files). */
  name: string;
  /** STORAGE_<NAME>_DRIVER: local, s3, gcs, azure, ... */
  driver: string;
  /** Every other STORAGE_<NAME>_* variable, camelCased, with "true"/"false" as booleans (as Directus casts them). */
  options: Record<string, unknown>;
}

/** The options Directus's S3 driver takes (`@directus/storage-driver-s3`'s DriverS3Config) that we rely on. */
export interface S3LocationConfig {
  bucket: string;
  root?: string;
  key?: string;
  secret?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  serverSideEncryption?: string;
  serverSideEncryptionKmsKeyId?: string;
  [option: string]: unknown;
}

// Canned ACLs that let someone other than the bucket owner read objects: files are served through /assets, with
// Directus's permission checks, never from the bucket.
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

/** The variable prefix of a location: `s3` → `STORAGE_S3_`. */
export const storagePrefix = (name: string) => `STORAGE_${name.toUpperCase()}_`;

const camelCase = (upperSnake: string) =>
  upperSnake.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

const castValue = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value);

/** STORAGE_LOCATIONS as a list (Directus may already have split it into an array); `local` when unset. */
export function locationNames(env: RawEnv): string[] {
  const value = env['STORAGE_LOCATIONS'];
  const items = Array.isArray(value) ? value.map(String) : String(value ?? 'local').split(',');
  const names = items.map((item) => item.trim()).filter(Boolean);
  return names.length ? names : ['local'];
}

/** Every configured location with its driver and options. Directus's own defaults give `local` its driver. */
export function storageLocations(env: RawEnv): StorageLocation[] {
  return locationNames(env).map((name) => {
    const prefix = storagePrefix(name);
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(env)) {
      if (!key.startsWith(prefix) || key === `${prefix}DRIVER`) continue;
      if (value === undefined || value === null || value === '') continue;
      options[camelCase(key.slice(prefix.length))] = castValue(value);
    }
    const driver = env[`${prefix}DRIVER`];
    return { name, driver: driver ? String(driver) : name === 'local' ? 'local' : '', options };
  });
}

/** The S3 driver's config of an `s3` location (strings as strings: Directus casts all-digit values to numbers). */
export function s3Config(location: StorageLocation): S3LocationConfig {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(location.options)) {
    config[key] = typeof value === 'number' ? String(value) : value;
  }
  return config as S3LocationConfig;
}

/** What is wrong with the storage configuration, each problem naming its variable (never a value). */
export function storageProblems(env: RawEnv): string[] {
  const problems: string[] = [];
  for (const location of storageLocations(env)) {
    const prefix = storagePrefix(location.name);
    if (!location.driver) {
      problems.push(`${prefix}DRIVER must be set for the location "${location.name}" named in STORAGE_LOCATIONS`);
      continue;
    }
    if (location.driver !== 's3') continue;
    const { bucket, key, secret, endpoint, forcePathStyle, acl } = location.options;
    if (!bucket) problems.push(`${prefix}BUCKET must be set (the bucket of the s3 location "${location.name}")`);
    if (Boolean(key) !== Boolean(secret)) {
      problems.push(
        `${prefix}KEY and ${prefix}SECRET go together: set both, or neither to use the instance's IAM role`,
      );
    }
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(String(endpoint))) {
      problems.push(`${prefix}ENDPOINT must be an http(s) URL of the S3 server without a path (https://host:port)`);
    }
    if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') {
      problems.push(`${prefix}FORCE_PATH_STYLE must be true or false`);
    }
    if (acl !== undefined && PUBLIC_ACLS.has(String(acl))) {
      problems.push(`${prefix}ACL must not make objects public: files are served through /assets, with permissions`);
    }
  }
  return problems;
}

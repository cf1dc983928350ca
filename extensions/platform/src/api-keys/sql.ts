// The API-key tables, in the `groundwork` schema (installed at boot like the security tables, and by the seed, which
// runs without Directus): never Directus collections, so no snapshot change and no item access through /items.
export const apiKeyInstallStatements: string[] = [
  'CREATE SCHEMA IF NOT EXISTS groundwork',
  // No secret here: secret_hash is SHA-256 of the key's random part; the signing secret is derived from SECRET.
  `CREATE TABLE IF NOT EXISTS groundwork.api_keys (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    prefix text NOT NULL UNIQUE,
    secret_hash text NOT NULL,
    policy uuid NOT NULL,
    user_id uuid NOT NULL,
    require_signature boolean NOT NULL DEFAULT false,
    expires_at timestamptz,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid,
    revoked_at timestamptz,
    revoked_by uuid
  )`,
  // Signatures seen within the window: a second request with the same one is a replay.
  `CREATE TABLE IF NOT EXISTS groundwork.api_key_signatures (
    key_id uuid NOT NULL,
    digest text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (key_id, digest)
  )`,
  'CREATE INDEX IF NOT EXISTS api_key_signatures_expires_at ON groundwork.api_key_signatures (expires_at)',
];

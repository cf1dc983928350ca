// The security baseline users get, read from .env.example so that file stays its single source: test instances
// that must behave like a user's install (extensions/service-desk/tests/advisories.test.ts) start with exactly these values.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { envExamplePath } from './env-file.js';

/** The baseline variables that change how Directus answers requests (CORS and the rate limiter stay per test). */
export const SECURITY_BASELINE_KEYS = [
  'IMPORT_IP_DENY_LIST',
  'HASH_MEMORY_COST',
  'HASH_TIME_COST',
  'QUERY_LIMIT_MAX',
  'MAX_BATCH_MUTATION',
  'MAX_RELATIONAL_DEPTH',
  'FILES_MAX_UPLOAD_SIZE',
  'FILES_MIME_TYPE_ALLOW_LIST',
  'ASSETS_TRANSFORM_IMAGE_MAX_DIMENSION',
  'ASSETS_TRANSFORM_TIMEOUT',
  'ASSETS_TRANSFORM_MAX_CONCURRENT',
  'CACHE_ENABLED',
  'CACHE_AUTO_PURGE',
  'CACHE_SCHEMA_FREEZE_ENABLED',
  'WEBSOCKETS_GRAPHQL_ENABLED',
  'WEBSOCKETS_REST_AUTH',
] as const;

export type SecurityBaseline = Record<(typeof SECURITY_BASELINE_KEYS)[number], string>;

/** Picks the baseline from the text of an env file; throws naming every baseline variable the text lacks. */
export function securityBaselineFrom(envText: string): SecurityBaseline {
  const parsed = parseEnv(envText) as Record<string, string | undefined>;
  const missing = SECURITY_BASELINE_KEYS.filter((key) => !parsed[key]);
  if (missing.length > 0) throw new Error(`security baseline incomplete, missing: ${missing.join(', ')}`);
  return Object.fromEntries(SECURITY_BASELINE_KEYS.map((key) => [key, parsed[key]!])) as SecurityBaseline;
}

export function readSecurityBaseline(file = envExamplePath): SecurityBaseline {
  return securityBaselineFrom(readFileSync(file, 'utf8'));
}

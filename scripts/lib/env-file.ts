// The .env file: created from .env.example on first run with fresh secrets, read the way Directus reads it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { repoRoot } from './paths.js';

export const envPath = path.join(repoRoot, '.env');
export const envExamplePath = path.join(repoRoot, '.env.example');

/** Creates .env with a random SECRET and admin password; returns the password when it was created now. */
export function ensureEnvFile(): { created: boolean; adminPassword?: string } {
  if (existsSync(envPath)) return { created: false };
  const adminPassword = randomBytes(12).toString('base64url');
  const secret = randomBytes(32).toString('hex');
  const content = readFileSync(envExamplePath, 'utf8')
    .replace(/^SECRET=.*$/m, `SECRET=${secret}`)
    .replace(/^ADMIN_PASSWORD=.*$/m, `ADMIN_PASSWORD=${adminPassword}`);
  writeFileSync(envPath, content, { mode: 0o600 });
  return { created: true, adminPassword };
}

export function readEnvFile(): Record<string, string> {
  return existsSync(envPath) ? (parseEnv(readFileSync(envPath, 'utf8')) as Record<string, string>) : {};
}

// Upload size limits per role (issue 15 item 1): FILES_MAX_UPLOAD_SIZE is the ceiling for everyone,
// GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS lowers it for named roles: `<role id>=<size>` pairs, comma separated, sizes as
// Directus writes them (`5mb`). Pure.
import { parseByteSize } from './byte-size.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The per-role limits, or the first entry that is not `<role uuid>=<size>` (thrown, for the boot check). */
export function parseRoleLimits(value: string | undefined): Map<string, number> {
  const limits = new Map<string, number>();
  for (const entry of (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [role, size, ...rest] = entry.split('=').map((part) => part.trim());
    const bytes = parseByteSize(size);
    if (rest.length > 0 || !role || !UUID.test(role) || bytes === null || bytes <= 0) {
      throw new Error(`"${entry}" is not <role uuid>=<size> (e.g. 5mb)`);
    }
    limits.set(role.toLowerCase(), bytes);
  }
  return limits;
}

/** The largest upload a caller of `role` may send: its role's limit under the global one, else the global one. */
export function uploadLimitFor(role: string | null | undefined, global: number | null, limits: Map<string, number>) {
  const own = role ? limits.get(role.toLowerCase()) : undefined;
  if (own === undefined) return global;
  return global === null ? own : Math.min(own, global);
}

// Which bucket each S3 location of a backup is restored into (decision 0048): pure, unit-tested.
import { isSafeRelativePath } from './manifest.js';

/** S3's bucket naming rule (3-63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric). */
export const isBucketName = (name: string) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name);

export type BucketChoice = { ok: true; buckets: Map<string, string> } | { ok: false; problems: string[] };

/**
 * `--bucket <location>=<bucket>` (repeatable), or `--bucket <bucket>` when the backup has one S3 location; a
 * location not named falls back to the bucket its STORAGE_<NAME>_BUCKET configures (which must then be empty).
 */
export function restoreBuckets(
  given: readonly string[],
  locations: readonly string[],
  configured: (location: string) => string | undefined,
): BucketChoice {
  const problems: string[] = [];
  const buckets = new Map<string, string>();
  for (const value of given) {
    const [location, bucket] = value.includes('=') ? value.split('=', 2) : [locations[0], value];
    if (!value.includes('=') && locations.length !== 1) {
      problems.push(
        `--bucket ${value}: the backup has ${locations.length} S3 locations; name one as <location>=<bucket>`,
      );
    } else if (!location || !locations.includes(location)) {
      problems.push(
        `--bucket ${value}: the backup has no S3 location "${location}" (it has: ${locations.join(', ') || 'none'})`,
      );
    } else if (!bucket || !isBucketName(bucket)) {
      problems.push(`--bucket ${value}: "${bucket}" is not a valid bucket name`);
    } else buckets.set(location, bucket);
  }
  for (const location of locations) {
    if (buckets.has(location)) continue;
    const bucket = configured(location);
    if (bucket) buckets.set(location, bucket);
    else {
      problems.push(
        `no bucket for the S3 location "${location}": configure STORAGE_${location.toUpperCase()}_* or pass --bucket ${location}=<bucket>`,
      );
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, buckets };
}

/** The keys that cannot be written as files under objects/<location>/ (absolute, `..`, backslashes): refused. */
export function unsafeKeys(keys: readonly string[]): string[] {
  return keys.filter((key) => !isSafeRelativePath(key));
}

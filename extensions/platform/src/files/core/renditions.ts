// Image renditions made off the request path (decision 0064): which files get them, what one render's failure
// means, and what the gate before /assets answers for a transform request. Pure.

/** The types Directus transforms (its SUPPORTED_IMAGE_TRANSFORM_FORMATS); other files have no renditions. */
export const TRANSFORMABLE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/avif'] as const;

export type RenditionStatus = 'pending' | 'ready' | 'failed';

export interface RenditionRecord {
  preset: string;
  status: RenditionStatus;
  reason: string | null;
}

/** What a caller who may read the file waits before asking again while its renditions are made. */
export const RETRY_AFTER_SECONDS = 5;

export function isTransformable(type: string | null | undefined): boolean {
  return (TRANSFORMABLE_TYPES as readonly string[]).includes(String(type ?? '').toLowerCase());
}

/** The project's named presets (directus_settings.storage_asset_presets), each key once, in their order. */
export function presetKeys(presets: unknown): string[] {
  if (!Array.isArray(presets)) return [];
  const keys = presets
    .map((preset) => (preset && typeof preset === 'object' ? (preset as { key?: unknown }).key : undefined))
    .filter((key): key is string => typeof key === 'string' && key.length > 0);
  return [...new Set(keys)];
}

/**
 * One render's error, as Directus's AssetsService throws it: `failed` is final (the same bytes fail the same way,
 * so no request may try again), `retry` is the moment (sharp's slots busy, storage unreachable).
 */
export type RenderOutcome =
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; reason: string }
  // Directus refuses every transform of this file itself, before sharp runs (its stored size is over the bound): its
  // records go, so Directus keeps answering its own 400.
  | { kind: 'declined'; reason: string };

export function renderOutcome(error: unknown): RenderOutcome {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (code === 'SERVICE_UNAVAILABLE' && /timed out/i.test(text))
    return { kind: 'failed', reason: 'timed out (ASSETS_TRANSFORM_TIMEOUT)' };
  if (code === 'SERVICE_UNAVAILABLE') return { kind: 'retry', reason: text };
  if (code === 'ILLEGAL_ASSET_TRANSFORMATION')
    return { kind: 'declined', reason: 'too large to transform (ASSETS_TRANSFORM_IMAGE_MAX_DIMENSION)' };
  if (code === 'INVALID_QUERY') return { kind: 'failed', reason: `the preset is invalid: ${text}` };
  // sharp's own refusals of the bytes (corrupt, truncated, unsupported): the same on every try.
  if (/^Input |VipsJpeg|vips_|unsupported image format|corrupt|premature end/i.test(text))
    return { kind: 'failed', reason: `the image cannot be decoded: ${text.slice(0, 200)}` };
  return { kind: 'retry', reason: text.slice(0, 500) };
}

/**
 * Once one preset's render has failed for good, the others are not tried: every render decodes the same original
 * (the cost the timeout does not bound), so a bad decode would only be paid again per preset.
 */
export const SKIPPED_AFTER = (preset: string) => `not tried: the render of "${preset}" failed first`;

export type GateAnswer =
  | { kind: 'pass' }
  | { kind: 'wait'; retryAfterSeconds: number }
  | { kind: 'refuse'; reason: string };

/**
 * The gate's answer for `?key=<key>` on a file with these records. The key's own record decides; a key without one
 * (Directus's system keys for the admin app) follows the file: a failed render refuses it too,
 * since its decode is the same, and pending waits. A file without records (stored before this change, or not an
 * image) passes to Directus as before.
 */
export function gateAnswer(records: readonly RenditionRecord[], key: string): GateAnswer {
  if (records.length === 0) return { kind: 'pass' };
  const own = records.find((record) => record.preset === key);
  // A key that is neither a recorded preset nor a system key is Directus's to refuse (400: not configured).
  if (!own && !key.startsWith(SYSTEM_KEY_PREFIX)) return { kind: 'pass' };
  const failed = own ? (own.status === 'failed' ? own : null) : records.find((record) => record.status === 'failed');
  if (failed) return { kind: 'refuse', reason: failed.reason ?? 'the image could not be rendered' };
  const pending = own ? own.status === 'pending' : records.some((record) => record.status === 'pending');
  if (pending) return { kind: 'wait', retryAfterSeconds: RETRY_AFTER_SECONDS };
  return { kind: 'pass' };
}

/**
 * How long the gate holds a system-key request (the admin app's thumbnails) of a file still pending, instead of a 503
 * at once: an `<img>` does not retry after Retry-After, so a thumbnail asked for right after an upload would stay
 * broken until the page is reloaded. Presets keep the 503: API clients read Retry-After.
 */
export const SYSTEM_KEY_HOLD_MS = 10_000;
export const HOLD_POLL_MS = 250;

export interface HoldClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** True once the client has gone (no one to answer). */
  gone: () => boolean;
}

/**
 * The gate's answer after holding: re-reads the records until the answer is no longer `wait`, the hold has passed,
 * or the client has gone. Callers hold only what `shouldHold` allows.
 */
export async function answerAfterHold(
  readRecords: () => Promise<readonly RenditionRecord[]>,
  key: string,
  clock: HoldClock,
  holdMs = SYSTEM_KEY_HOLD_MS,
  pollMs = HOLD_POLL_MS,
): Promise<GateAnswer> {
  const until = clock.now() + holdMs;
  for (;;) {
    const answer = gateAnswer(await readRecords(), key);
    if (answer.kind !== 'wait' || clock.gone() || clock.now() >= until) return answer;
    await clock.sleep(Math.min(pollMs, Math.max(0, until - clock.now())));
  }
}

/** Only Directus's system keys are held (see SYSTEM_KEY_HOLD_MS). */
export const shouldHold = (answer: GateAnswer, key: string): boolean =>
  answer.kind === 'wait' && key.startsWith(SYSTEM_KEY_PREFIX);

/** The query names Directus reads as a transform (its ASSET_TRANSFORM_QUERY_KEYS). */
export const ASSET_TRANSFORM_QUERY_KEYS = [
  'key',
  'transforms',
  'width',
  'height',
  'format',
  'fit',
  'quality',
  'withoutEnlargement',
  'focal_point_x',
  'focal_point_y',
] as const;

/** Directus's own keys (the admin app's thumbnails) all start so; they have no records of their own. */
export const SYSTEM_KEY_PREFIX = 'system-';

/** Only a plain `?key=<name>` is gated; any other transform query goes to Directus, which refuses it (presets only). */
export function requestedKey(query: Record<string, unknown>): string | null {
  const key = query['key'];
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) return null;
  const transformNames = Object.keys(query).filter((name) =>
    (ASSET_TRANSFORM_QUERY_KEYS as readonly string[]).includes(name),
  );
  return transformNames.length === 1 ? key : null;
}

// Vocabulary columns (decision 0058): a cell of names (separated by `,`, `;` or `|`, or a JSON array) checked against
// a vocabulary collection's unique field, e.g. ticket tags against `tags.name`. Pure: the adapter (run.ts) looks the
// names up and, when asked, creates the missing ones with the caller's own create permission.
import type { RowError } from './plan.js';

export const MAX_NAME_LENGTH = 255;
/** At most this many new names are listed per vocabulary in the report (the count is always whole). */
export const LISTED_NAMES = 100;

export type Names = { ok: true; names: string[] | null } | { ok: false; code: 'INVALID_TYPE'; message: string };

const bad = (message: string): Names => ({ ok: false, code: 'INVALID_TYPE', message });

/** One cell's names, trimmed, without empties or repeats, in file order; null for an empty cell. */
export function namesOf(raw: unknown): Names {
  if (raw === null || raw === undefined) return { ok: true, names: null };
  let parts: unknown[];
  if (Array.isArray(raw)) parts = raw;
  else if (typeof raw === 'string' || typeof raw === 'number') {
    const text = String(raw).trim();
    if (text === '') return { ok: true, names: null };
    if (text.startsWith('[')) {
      try {
        // Text starting with "[" parses to an array or not at all.
        parts = JSON.parse(text) as unknown[];
      } catch {
        return bad(`"${text.slice(0, 80)}" is not a JSON array of names.`);
      }
    } else parts = text.split(/[,;|]/);
  } else return bad('Expected names separated by , ; or |, or a JSON array of names.');
  const names: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' && typeof part !== 'number') return bad('Every name must be text.');
    const name = String(part).trim();
    if (name === '') continue;
    if (name.length > MAX_NAME_LENGTH) return bad(`A name is longer than ${MAX_NAME_LENGTH} characters.`);
    if (!names.includes(name)) names.push(name);
  }
  return { ok: true, names: names.length ? names : null };
}

export interface VocabularyTarget {
  /** The imported collection's field the names fill. */
  field: string;
  collection: string;
  /** The vocabulary collection's unique field the names are values of. */
  key: string;
  create: boolean;
}

/** `{"tags":"tags.name"}` and `create_missing=tags` as targets; a reason when they do not fit together. */
export function vocabularyTargets(
  vocabularies: Record<string, string>,
  createMissing: string[],
): { ok: true; targets: VocabularyTarget[] } | { ok: false; reason: string } {
  const stray = createMissing.filter((field) => !(field in vocabularies));
  if (stray.length)
    return { ok: false, reason: `create_missing names fields that are not in vocabularies: ${stray.join(', ')}.` };
  const targets: VocabularyTarget[] = [];
  for (const [field, path] of Object.entries(vocabularies)) {
    const [collection, key, ...rest] = path.split('.');
    if (!collection || !key || rest.length)
      return { ok: false, reason: `vocabularies: "${field}" must name collection.field, e.g. "tags.name".` };
    targets.push({ field, collection, key, create: createMissing.includes(field) });
  }
  return { ok: true, targets };
}

/** Every distinct name the rows use, in first-use order. */
export function distinctNames(rows: Array<{ values: Record<string, unknown> }>, field: string): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    const names = row.values[field];
    if (Array.isArray(names)) for (const name of names as string[]) seen.add(name);
  }
  return [...seen];
}

/** Row errors for rows that use a name not in `known`: one per row, naming its unknown names. */
export function unknownNameErrors(
  rows: Array<{ row: number; values: Record<string, unknown> }>,
  target: Pick<VocabularyTarget, 'field' | 'collection' | 'key'>,
  known: Set<string>,
  code: string,
  reason: string,
): RowError[] {
  const errors: RowError[] = [];
  for (const row of rows) {
    const names = row.values[target.field];
    if (!Array.isArray(names)) continue;
    const unknown = (names as string[]).filter((name) => !known.has(name));
    if (unknown.length === 0) continue;
    errors.push({
      row: row.row,
      field: target.field,
      code,
      message: `${reason}: ${unknown.map((name) => `"${name}"`).join(', ')} (${target.collection}.${target.key}).`,
    });
  }
  return errors;
}

/** The value written for a row's names: a JSON array for json fields, comma-separated text for csv fields. */
export function storedNames(names: string[], fieldType: string): unknown {
  return fieldType === 'csv' ? names.join(',') : names;
}

export const VOCABULARY_FIELD_TYPES = ['json', 'csv'];

// The import's plan, before any database read: which column fills which field, each row's coerced values, and the
// row errors that need no database (types, duplicates inside the file). The adapter adds what needs the database
// (relations, matches, permissions) and writes.
import { coerceCell } from './coerce.js';
import { namesOf } from './vocabulary.js';
import type { Table } from './parse.js';

export const MODES = ['insert', 'update', 'upsert'] as const;
export type Mode = (typeof MODES)[number];

export interface FieldInfo {
  field: string;
  type: string;
  /** Alias fields (o2m, m2m, presentation) have no column to write. */
  alias: boolean;
}
export interface CollectionInfo {
  collection: string;
  primary: string;
  fields: Record<string, FieldInfo>;
}

export interface RowError {
  /** 1-based data row (the header is not counted). */
  row: number;
  field: string | null;
  code: string;
  message: string;
}

export interface Target {
  column: string;
  field: string;
  /** For a relation given by natural key: the related collection's field the cell names. */
  naturalKey: string | null;
  /** A vocabulary column: the cell is a list of names (vocabulary.ts), resolved by the adapter. */
  vocabulary?: boolean;
}

export type ColumnPlan = { ok: true; targets: Target[] } | { ok: false; reason: string };

/**
 * Columns to fields: `mapping` renames (a column mapped to "" is ignored), else the header is the field name. Every
 * other column must be a writable field: a file of a different schema is refused as a whole, naming the columns.
 */
export function planColumns(
  columns: string[],
  info: CollectionInfo,
  mapping: Record<string, string>,
  relations: Record<string, string>,
): ColumnPlan {
  const unknownMapped = Object.keys(mapping).filter((column) => !columns.includes(column));
  if (unknownMapped.length)
    return { ok: false, reason: `The mapping names columns the file does not have: ${unknownMapped.join(', ')}.` };
  const targets: Target[] = [];
  const unknown: string[] = [];
  const taken = new Map<string, string>();
  for (const column of columns) {
    const field = column in mapping ? mapping[column]! : column;
    if (field === '') continue;
    const found = info.fields[field];
    if (!found || found.alias) {
      unknown.push(column === field ? `"${column}"` : `"${column}" (mapped to "${field}")`);
      continue;
    }
    const other = taken.get(field);
    if (other) return { ok: false, reason: `The columns "${other}" and "${column}" both fill the field "${field}".` };
    taken.set(field, column);
    targets.push({ column, field, naturalKey: relations[field] ?? null });
  }
  if (unknown.length)
    return {
      ok: false,
      reason: `The file does not match ${info.collection}: no writable field for the column(s) ${unknown.join(', ')}. Map them to a field, or to "" to ignore them.`,
    };
  const unusedRelations = Object.keys(relations).filter((field) => !taken.has(field));
  if (unusedRelations.length)
    return { ok: false, reason: `relations names fields no column fills: ${unusedRelations.join(', ')}.` };
  if (targets.length === 0) return { ok: false, reason: 'No column fills a field.' };
  return { ok: true, targets };
}

export interface PlannedRow {
  row: number;
  /** Coerced values by field; a natural-key relation holds its key text until the adapter resolves it. */
  values: Record<string, unknown>;
}

/** Coerces every cell; rows with no value at all are skipped (counted, not written). */
export function planRows(
  table: Table,
  targets: Target[],
  info: CollectionInfo,
): { rows: PlannedRow[]; skipped: number; errors: RowError[] } {
  const rows: PlannedRow[] = [];
  const errors: RowError[] = [];
  let skipped = 0;
  table.rows.forEach((source, index) => {
    const row = index + 1;
    const values: Record<string, unknown> = {};
    let empty = true;
    for (const target of targets) {
      if (target.vocabulary) {
        const names = namesOf(source[target.column]);
        if (!names.ok) errors.push({ row, field: target.field, code: names.code, message: names.message });
        else {
          values[target.field] = names.names;
          if (names.names !== null) empty = false;
        }
        continue;
      }
      // A natural key is text in the related collection, whatever the type of the foreign key.
      const coerced = coerceCell(source[target.column], target.naturalKey ? 'string' : info.fields[target.field]!.type);
      if (!coerced.ok) errors.push({ row, field: target.field, code: coerced.code, message: coerced.message });
      else {
        values[target.field] = coerced.value;
        if (coerced.value !== null) empty = false;
      }
    }
    if (empty && !errors.some((error) => error.row === row)) skipped++;
    else rows.push({ row, values });
  });
  return { rows, skipped, errors };
}

/** A stable text key of the values of `fields` (null when one is missing: nulls never collide in a unique index). */
export function keyOf(values: Record<string, unknown>, fields: string[]): string | null {
  const parts = fields.map((field) => values[field]);
  if (parts.some((part) => part === null || part === undefined)) return null;
  return JSON.stringify(parts.map((part) => String(part)));
}

/** Each later row that repeats an earlier row's values of a unique field set is an error naming the first row. */
export function duplicatesInFile(rows: PlannedRow[], fieldSets: string[][]): RowError[] {
  const errors: RowError[] = [];
  for (const fields of fieldSets) {
    if (!rows.some((row) => fields.every((field) => field in row.values))) continue;
    const first = new Map<string, number>();
    for (const row of rows) {
      const key = keyOf(row.values, fields);
      if (key === null) continue;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, row.row);
      else
        errors.push({
          row: row.row,
          field: fields.join(','),
          code: 'DUPLICATE_IN_FILE',
          message: `The same ${fields.join(' + ')} as row ${earlier}.`,
        });
    }
  }
  return errors;
}

export type Action = { row: PlannedRow; kind: 'insert' } | { row: PlannedRow; kind: 'update'; key: string | number };

/**
 * Insert or update per row from the match: `existing` maps match keys found in the database to primary keys.
 * Insert mode refuses a row that exists; update mode one that does not (or has no match value); upsert inserts both.
 */
export function decideActions(
  rows: PlannedRow[],
  mode: Mode,
  match: string[],
  existing: Map<string, string | number>,
): { actions: Action[]; errors: RowError[] } {
  const actions: Action[] = [];
  const errors: RowError[] = [];
  for (const row of rows) {
    const key = match.length ? keyOf(row.values, match) : null;
    if (match.length && key === null && mode === 'update') {
      errors.push({
        row: row.row,
        field: match.join(','),
        code: 'REQUIRED',
        message: `${match.join(' + ')} is needed to match a row.`,
      });
      continue;
    }
    const found = key === null ? undefined : existing.get(key);
    if (found === undefined) {
      if (mode === 'update')
        errors.push({
          row: row.row,
          field: match.join(','),
          code: 'NOT_FOUND',
          message: `No item with this ${match.join(' + ')} to update.`,
        });
      else actions.push({ row, kind: 'insert' });
    } else if (mode === 'insert') {
      errors.push({
        row: row.row,
        field: match.join(','),
        code: 'DUPLICATE_IN_DATABASE',
        message: `An item with this ${match.join(' + ')} exists already.`,
      });
    } else actions.push({ row, kind: 'update', key: found });
  }
  return { actions, errors };
}

/** Splits a list into chunks of `size` (the write and lookup batches). */
export function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

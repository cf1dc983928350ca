// The stable paging cursor: the position of the last result of a page in the order results are ranked (score
// descending, then collection and id ascending: a total order, so pages neither repeat nor skip a row while the
// data stays as it was), the mode the first page chose (exact, or typo-tolerant when exact matches were few), and a
// fingerprint of the query it belongs to, so a cursor is refused with another query. Opaque base64url JSON.
import { createHash } from 'node:crypto';

export type SearchMode = 'exact' | 'typo';

export interface CursorPosition {
  mode: SearchMode;
  score: number;
  collection: string;
  id: string;
}

interface CursorPayload {
  v: 1;
  m: 'e' | 't';
  s: number;
  c: string;
  i: string;
  f: string;
}

/** What a cursor is bound to: the query text and the collections searched. */
export function queryFingerprint(q: string, collections: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([q, [...collections].sort()]))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  const payload: CursorPayload = {
    v: 1,
    m: position.mode === 'typo' ? 't' : 'e',
    s: position.score,
    c: position.collection,
    i: position.id,
    f: fingerprint,
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export type CursorDecodeResult = { ok: true; position: CursorPosition } | { ok: false; reason: string };

export function decodeCursor(cursor: string, fingerprint: string): CursorDecodeResult {
  const bad = { ok: false as const, reason: 'not a cursor this route gave' };
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return bad;
  let payload: Partial<CursorPayload>;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    return bad;
  }
  if (
    typeof payload !== 'object' ||
    payload === null ||
    payload.v !== 1 ||
    (payload.m !== 'e' && payload.m !== 't') ||
    !Number.isSafeInteger(payload.s) ||
    typeof payload.c !== 'string' ||
    typeof payload.i !== 'string' ||
    payload.i.length > 128
  ) {
    return bad;
  }
  if (payload.f !== fingerprint) return { ok: false, reason: 'the cursor belongs to another query' };
  return {
    ok: true,
    position: { mode: payload.m === 't' ? 'typo' : 'exact', score: payload.s!, collection: payload.c, id: payload.i },
  };
}

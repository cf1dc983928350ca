// Planning and reporting for bulk tickets (`npm run seed -- --tickets N`): batches and rows per second. Pure.

/** [first, last] row numbers (1-based, inclusive) of each batch. */
export function batches(total: number, size: number): Array<[number, number]> {
  if (!Number.isInteger(total) || total < 0) throw new Error(`--tickets must be a whole number >= 0, got ${total}`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a whole number >= 1, got ${size}`);
  const list: Array<[number, number]> = [];
  for (let first = 1; first <= total; first += size) list.push([first, Math.min(total, first + size - 1)]);
  return list;
}

export function rowsPerSecond(rows: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((rows * 1000) / elapsedMs);
}

const grouped = (value: number) => value.toLocaleString('en-US');

export function progressLine(done: number, total: number, elapsedMs: number): string {
  const percent = total ? Math.floor((done * 100) / total) : 100;
  return `${grouped(done)} / ${grouped(total)} tickets (${percent}%), ${grouped(rowsPerSecond(done, elapsedMs))} tickets/s`;
}

/** Parses --tickets: digits with optional _ or , separators ("1_000_000"). */
export function parseTicketCount(value: string | undefined): number {
  if (value === undefined) return 0;
  const cleaned = value.replace(/[_,]/g, '');
  if (!/^\d+$/.test(cleaned)) throw new Error(`--tickets takes a whole number, got "${value}"`);
  return Number(cleaned);
}

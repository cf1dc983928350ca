// Deleting many rows a bounded batch at a time (the retention jobs of import and export runs): each batch is its own
// statement and transaction, so a large delete holds its row locks and its WAL for one batch, never for all of it.

/**
 * Calls `deleteBatch(size)` until a batch deletes fewer than `size` rows (nothing left), at most `maxBatches` times
 * (a bound on one run of the job: the rest waits for the next). Returns how many rows went.
 */
export async function deleteInBatches(
  deleteBatch: (size: number) => Promise<number>,
  size: number,
  maxBatches = 10_000,
): Promise<number> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const deleted = await deleteBatch(size);
    total += deleted;
    if (deleted < size) break;
  }
  return total;
}

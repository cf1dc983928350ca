import { describe, expect, it } from '@jest/globals';
import { deleteInBatches } from './batches.js';

/** A table of `rows` rows whose batch delete removes up to `size` of them, recording each batch's size. */
function table(rows: number) {
  const batches: number[] = [];
  let left = rows;
  const deleteBatch = async (size: number) => {
    const deleted = Math.min(size, left);
    left -= deleted;
    batches.push(deleted);
    return deleted;
  };
  return { deleteBatch, batches, left: () => left };
}

describe('deleteInBatches', () => {
  it('deletes everything in batches of the size, stopping at the first short batch', async () => {
    const rows = table(25);
    expect(await deleteInBatches(rows.deleteBatch, 10)).toBe(25);
    expect(rows.batches).toEqual([10, 10, 5]);
    expect(rows.left()).toBe(0);
  });

  it('asks once more after an exact multiple, and once for an empty table', async () => {
    const exact = table(20);
    expect(await deleteInBatches(exact.deleteBatch, 10)).toBe(20);
    expect(exact.batches).toEqual([10, 10, 0]);
    const empty = table(0);
    expect(await deleteInBatches(empty.deleteBatch, 10)).toBe(0);
    expect(empty.batches).toEqual([0]);
  });

  it('stops after maxBatches and leaves the rest for the next run', async () => {
    const rows = table(100);
    expect(await deleteInBatches(rows.deleteBatch, 10, 3)).toBe(30);
    expect(rows.left()).toBe(70);
  });

  it('refuses a batch size that would never end or never start', async () => {
    const rows = table(5);
    await expect(deleteInBatches(rows.deleteBatch, 0)).rejects.toThrow(RangeError);
    await expect(deleteInBatches(rows.deleteBatch, 1.5)).rejects.toThrow(RangeError);
    expect(rows.batches).toEqual([]);
  });
});

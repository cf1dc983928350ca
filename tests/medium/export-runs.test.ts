// Background export runs' storage on a real PostgreSQL, no Directus (decision 0059): a retry drops the crashed
// attempt's chunks; an attempt that outlived its heartbeat can neither end the run nor mix its chunks into the file;
// a failed run keeps no bytes; the file streams back chunk by chunk, in order.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CHUNK_BYTES,
  chunkSink,
  exportJobStore,
  installExportRuns,
} from '../../extensions/platform/src/exports/store.js';
import { throwawayDatabase, type MediumDatabase } from './harness/database.js';

let db: MediumDatabase;
let store: ReturnType<typeof exportJobStore>;
const query = { format: 'csv' as const, fields: '*', filter: null, sort: null, limit: -1 };

beforeAll(async () => {
  db = await throwawayDatabase('export_runs');
  await installExportRuns(db.knex);
  await installExportRuns(db.knex); // twice: the second finds everything there
  store = exportJobStore(db.knex);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

async function newRun() {
  const id = randomUUID();
  await db.knex.transaction((trx) =>
    store.create(trx, { id, user_id: randomUUID(), ip: null, collection: 'tickets', query }),
  );
  return id;
}
const fileOf = async (id: string, attempt: number) => {
  const parts: Buffer[] = [];
  for await (const chunk of store.chunks(id, attempt)) parts.push(chunk);
  return Buffer.concat(parts);
};
const write = (id: string, attempt: number, bytes: Buffer) =>
  pipeline(
    Readable.from([bytes]),
    chunkSink(store, { id, attempt }, async () => {}),
  );

describe('export runs', () => {
  it('serves only the attempt that ended the run; an outlived attempt ends nothing', async () => {
    const id = await newRun();
    expect(await store.start(id)).toBe(1);
    await write(id, 1, Buffer.alloc(CHUNK_BYTES + 10, 'a'));
    // The worker died; the retry starts: the first attempt's chunks are gone.
    expect(await store.start(id)).toBe(2);
    expect(await db.knex('groundwork.export_chunk').where({ run_id: id, attempt: 1 })).toHaveLength(0);
    const file = Buffer.concat([Buffer.alloc(CHUNK_BYTES, 'b'), Buffer.from('tail')]);
    await write(id, 2, file);
    // The first attempt was only slow: it writes on, then tries to end the run.
    await write(id, 1, Buffer.from('zombie'));
    expect(await store.finish(id, 1, { status: 'succeeded', file_name: 'x.csv', error: null })).toBe(false);
    expect((await store.view(id))!.status).toBe('running');
    expect(
      await store.finish(id, 2, {
        status: 'succeeded',
        file_name: 't.csv',
        rows_written: 3,
        bytes_written: file.length,
        error: null,
      }),
    ).toBe(true);
    const run = (await store.forWork(id))!;
    expect(run).toMatchObject({ status: 'succeeded', file_attempt: 2, rows_written: 3, bytes_written: file.length });
    expect(await db.knex('groundwork.export_chunk').where({ run_id: id, attempt: 1 })).toHaveLength(0);
    expect((await fileOf(id, 2)).equals(file)).toBe(true);
    // Ended: a late failure of either attempt changes nothing.
    expect(await store.finish(id, 2, { status: 'failed', file_name: null, error: 'late' })).toBe(false);
    expect((await store.view(id))!.status).toBe('succeeded');
  });

  it('keeps no bytes of a failed run', async () => {
    const id = await newRun();
    const attempt = await store.start(id);
    await write(id, attempt, Buffer.from('partial'));
    expect(await store.finish(id, attempt, { status: 'failed', file_name: null, error: 'No longer active.' })).toBe(
      true,
    );
    expect(await db.knex('groundwork.export_chunk').where({ run_id: id })).toHaveLength(0);
    expect(await store.view(id)).toMatchObject({ status: 'failed', error: 'No longer active.' });
  });

  it("lists a user's runs newest first", async () => {
    const user = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      await db.knex.transaction((trx) =>
        store.create(trx, { id, user_id: user, ip: null, collection: 'tickets', query }),
      );
      await db
        .knex('groundwork.export_job')
        .where({ id })
        .update({ created_at: new Date(Date.UTC(2026, 0, 1 + i)) });
      ids.push(id);
    }
    expect((await store.listFor(user, 2)).map((run) => run.id)).toEqual([ids[2], ids[1]]);
  });
});

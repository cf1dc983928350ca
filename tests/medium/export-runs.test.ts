// Background export runs' storage on a real PostgreSQL, no Directus (decision 0059): a retry drops the crashed
// attempt's chunks; an attempt that outlived its heartbeat can neither end the run nor mix its chunks into the file;
// a failed run keeps no bytes; the file streams back chunk by chunk, in order; the retention deletes ended runs past
// their days with their chunks, in bounded batches, and nothing else (decision 0062).
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CHUNK_BYTES,
  chunkSink,
  deleteExpiredExportRuns,
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

describe('retention of export runs', () => {
  const chunksOf = async (id: string) =>
    Number(
      ((await db.knex('groundwork.export_chunk').where({ run_id: id }).count({ n: '*' })) as Array<{ n: string }>)[0]!
        .n,
    );
  /** A run with `chunks` stored chunks, ended (or not) `days` ago. */
  async function aged(status: 'succeeded' | 'failed' | 'running' | 'retrying' | 'queued', days: number, chunks = 3) {
    const id = await newRun();
    if (status === 'queued') {
      await db
        .knex('groundwork.export_job')
        .where({ id })
        .update({ created_at: db.knex.raw(`now() - interval '60 days'`) });
      return id;
    }
    const attempt = await store.start(id);
    for (let seq = 0; seq < chunks; seq++) await store.writeChunk(id, attempt, seq, Buffer.from(`chunk ${seq}`));
    if (status === 'succeeded' || status === 'failed')
      await store.finish(id, attempt, { status, file_name: status === 'succeeded' ? 'f.csv' : null, error: null });
    if (status === 'retrying') await store.broke(id, 'broke');
    await db
      .knex('groundwork.export_job')
      .where({ id })
      .update({
        created_at: db.knex.raw('now() - make_interval(days => ?)', [days + 1]),
        started_at: db.knex.raw('now() - make_interval(days => ?)', [days + 1]),
        finished_at: ['succeeded', 'failed'].includes(status)
          ? db.knex.raw('now() - make_interval(days => ?)', [days])
          : null,
      });
    return id;
  }

  it('deletes ended runs past the days with every chunk, in bounded batches; keeps running, queued and recent runs', async () => {
    const old = [await aged('succeeded', 8, 5), await aged('succeeded', 30, 4), await aged('failed', 9, 0)];
    const kept = {
      recent: await aged('succeeded', 6, 2),
      running: await aged('running', 40, 2),
      retrying: await aged('retrying', 40, 2),
      queued: await aged('queued', 40),
    };
    const oldChunks = (await Promise.all(old.map(chunksOf))).reduce((a, b) => a + b, 0);
    expect(oldChunks).toBe(9);
    // Batches of 2 chunks and 1 run: several statements each, and everything still goes.
    const deleted = await deleteExpiredExportRuns(db.knex, 7, { chunks: 2, runs: 1 });
    expect(deleted.chunks).toBeGreaterThanOrEqual(9);
    expect(deleted.runs).toBeGreaterThanOrEqual(3);
    for (const id of old) {
      expect(await store.view(id)).toBeNull();
      expect(await chunksOf(id)).toBe(0);
    }
    for (const [what, id] of Object.entries(kept)) expect([what, (await store.view(id))?.id]).toEqual([what, id]);
    expect(await chunksOf(kept.recent)).toBe(2);
    expect(await chunksOf(kept.running)).toBe(2);
    expect(await chunksOf(kept.retrying)).toBe(2);
    expect((await store.forWork(kept.recent))!.file_attempt).toBe(1);
    // Nothing left to do: a second run deletes nothing.
    expect(await deleteExpiredExportRuns(db.knex, 7)).toEqual({ runs: 0, chunks: 0 });
  });

  it('withdraws the file before its chunks go: a delete cut short leaves a run with no file, never a short file', async () => {
    const id = await aged('succeeded', 10, 4);
    // One batch of one row per step: the run is withdrawn, one chunk goes, and the run (chunks left) waits.
    expect(await deleteExpiredExportRuns(db.knex, 7, { chunks: 1, runs: 1, maxBatches: 1 })).toEqual({
      runs: 0,
      chunks: 1,
    });
    expect(await store.forWork(id)).toMatchObject({ status: 'succeeded', file_attempt: null });
    expect(await chunksOf(id)).toBe(3);
    // The next run of the job finishes it.
    expect(await deleteExpiredExportRuns(db.knex, 7)).toEqual({ runs: 1, chunks: 3 });
    expect(await store.view(id)).toBeNull();
  });

  it('is a no-op before the tables exist', async () => {
    const fresh = await throwawayDatabase('export_runs_empty');
    try {
      expect(await deleteExpiredExportRuns(fresh.knex, 7)).toEqual({ runs: 0, chunks: 0 });
    } finally {
      await fresh.drop();
    }
  });
});

describe('Idempotency-Key', () => {
  it('allows one run per request key; runs without a key are unlimited', async () => {
    const create = (request_key: string | null) =>
      db.knex.transaction((trx) =>
        store.create(trx, {
          id: randomUUID(),
          user_id: randomUUID(),
          ip: null,
          collection: 'tickets',
          query,
          request_key,
          fingerprint: 'f',
        }),
      );
    const key = `key:${randomUUID()}:abc`;
    await create(key);
    await expect(create(key)).rejects.toMatchObject({ code: '23505' });
    await create(null);
    await create(null);
    expect(await store.byRequestKey(key)).toMatchObject({ status: 'queued', fingerprint: 'f' });
    expect(await store.byRequestKey(`key:${randomUUID()}:abc`)).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  exportNotice,
  exportRequestFingerprint,
  exportRunRequest,
  exportRunView,
  rowsPerSecond,
  storedQuery,
  type StoredExportRun,
} from './runs.js';

describe('exportRunRequest', () => {
  it('defaults to CSV and all rows, and keeps the query as the GET would send it', () => {
    expect(storedQuery(exportRunRequest.parse({}))).toEqual({
      format: 'csv',
      fields: '*',
      filter: null,
      sort: null,
      limit: -1,
    });
    expect(
      storedQuery(
        exportRunRequest.parse({
          format: 'xlsx',
          fields: ['id', 'organization.name'],
          filter: { status: { _eq: 'open' } },
          sort: ['-date_created', 'id'],
          limit: 10,
        }),
      ),
    ).toEqual({
      format: 'xlsx',
      fields: 'id,organization.name',
      filter: '{"status":{"_eq":"open"}}',
      sort: '-date_created,id',
      limit: 10,
    });
    expect(storedQuery(exportRunRequest.parse({ fields: 'id,subject', sort: 'subject' }))).toMatchObject({
      fields: 'id,subject',
      sort: 'subject',
    });
  });

  it.each([
    { format: 'pdf' },
    { limit: 0 },
    { limit: -2 },
    { filter: 'subject' },
    { filter: [1] },
    { filter: { subject: { _eq: 'x'.repeat(20001) } } },
    { fields: [''] },
    { fields: 'x'.repeat(4001) },
    { background: true },
  ])('refuses %j', (body) => {
    expect(exportRunRequest.safeParse(body).success).toBe(false);
  });
});

const run = (over: Partial<StoredExportRun> = {}): StoredExportRun => ({
  id: '5f0c6c1e-8c59-4d7e-9b7c-1f3c2f9f0a11',
  user_id: '0b6f3a52-2a7e-4a8e-9e1e-0c7e8f6d5a44',
  collection: 'tickets',
  format: 'csv',
  query: JSON.stringify({ format: 'csv', fields: '*', filter: null, sort: null, limit: -1 }),
  status: 'running',
  attempts: 1,
  rows_written: 500,
  bytes_written: 4096,
  file_name: null,
  error: null,
  created_at: new Date('2026-12-03T10:00:00Z'),
  started_at: new Date('2026-12-03T10:00:00Z'),
  finished_at: null,
  ...over,
});

describe('exportRunView', () => {
  const now = new Date('2026-12-03T10:00:10Z');
  it('gives the pace so far and no file while running', () => {
    expect(exportRunView(run(), now)).toMatchObject({
      status: 'running',
      query: { fields: '*', filter: null, sort: null, limit: -1 },
      progress: { rows_written: 500, bytes_written: 4096, rows_per_second: 50 },
      file_url: null,
      started_at: '2026-12-03T10:00:00.000Z',
      finished_at: null,
    });
  });
  it('gives the file once succeeded, and the pace up to the end', () => {
    const done = run({
      status: 'succeeded',
      finished_at: new Date('2026-12-03T10:00:05Z'),
      file_name: 'tickets.csv',
      query: { format: 'csv', fields: 'id', filter: null, sort: null, limit: 5 },
    });
    expect(exportRunView(done, now)).toMatchObject({
      file_url: `/groundwork/v1/exports/runs/${done.id}/file`,
      file_name: 'tickets.csv',
      query: { fields: 'id', limit: 5 },
      progress: { rows_per_second: 100 },
      finished_at: '2026-12-03T10:00:05.000Z',
    });
  });
  it('has no pace before rows or time', () => {
    expect(rowsPerSecond(run({ started_at: null }), now)).toBeNull();
    expect(rowsPerSecond(run({ rows_written: 0 }), now)).toBeNull();
    expect(rowsPerSecond(run(), new Date('2026-12-03T10:00:00Z'))).toBeNull();
  });
});

describe('exportNotice', () => {
  const base = { id: 'r1', collection: 'tickets', format: 'xlsx' as const, rows: 3, error: null };
  it('links the download when ready', () => {
    expect(exportNotice({ ...base, status: 'succeeded' })).toEqual({
      subject: 'Export of tickets is ready',
      body: '3 row(s) as XLSX. Download: /groundwork/v1/exports/runs/r1/file (only you can).',
    });
  });
  it('gives the reason when it failed', () => {
    expect(exportNotice({ ...base, status: 'failed', error: 'No longer active.' })).toEqual({
      subject: 'Export of tickets failed',
      body: 'No longer active.',
    });
    expect(exportNotice({ ...base, status: 'failed' }).body).toBe('The export could not run.');
  });
});

describe('exportRequestFingerprint', () => {
  const base = storedQuery({
    format: 'csv',
    fields: 'id,subject',
    filter: { status: { _eq: 'open' }, priority: { _in: ['a', 'b'] } },
    limit: -1,
  });
  const fingerprint = (query: typeof base, collection = 'tickets') => exportRequestFingerprint(collection, query);

  it('is the same for the same request, however fields and filter keys are spelled', () => {
    const asArray = storedQuery({
      format: 'csv',
      fields: ['id', 'subject'],
      filter: { priority: { _in: ['a', 'b'] }, status: { _eq: 'open' } },
      limit: -1,
    });
    expect(fingerprint(asArray)).toBe(fingerprint(base));
  });

  it('differs when anything the export reads or writes differs', () => {
    const variants = [
      fingerprint(base, 'kb_articles'),
      fingerprint({ ...base, format: 'ndjson' }),
      fingerprint({ ...base, fields: 'id' }),
      fingerprint({ ...base, filter: JSON.stringify({ status: { _eq: 'closed' } }) }),
      fingerprint({ ...base, filter: JSON.stringify({ priority: { _in: ['b', 'a'] }, status: { _eq: 'open' } }) }),
      fingerprint({ ...base, filter: null }),
      fingerprint({ ...base, sort: '-id' }),
      fingerprint({ ...base, limit: 10 }),
    ];
    expect(new Set([fingerprint(base), ...variants]).size).toBe(variants.length + 1);
  });
});

import { describe, expect, it } from '@jest/globals';
import { importOptions } from './contract.js';
import { readableOptions, savedMappingCreate, savedMappingUpdate, savedOptions, withSavedOptions } from './saved.js';

describe('savedOptions', () => {
  it('keeps the options in the text form the import route takes, objects and lists given either way', () => {
    const parsed = savedOptions.parse({
      mode: 'upsert',
      match: ['number'],
      mapping: { Subject: 'subject', Notes: '' },
      relations: '{"organization":"domain"}',
      vocabularies: { tags: 'tags.name' },
      create_missing: 'tags',
      delimiter: ';',
    });
    expect(parsed).toEqual({
      mode: 'upsert',
      match: 'number',
      mapping: '{"Subject":"subject","Notes":""}',
      relations: '{"organization":"domain"}',
      vocabularies: '{"tags":"tags.name"}',
      create_missing: 'tags',
      delimiter: ';',
    });
    // What it keeps parses on the import route.
    expect(importOptions.safeParse(parsed).success).toBe(true);
  });
  it('refuses what the import route would refuse, and options a saved mapping does not keep', () => {
    for (const bad of [
      { mode: 'merge' },
      { match: 'no spaces allowed' },
      { mapping: { a: 'not a field!' } },
      { mapping: '[1]' },
      { vocabularies: { tags: 'tags' } },
      { create_missing: 5 },
      { dry_run: 'true' },
      { background: 'true' },
      { mapping_id: '9f1c2e4a-1111-4222-8333-444455556666' },
    ])
      expect([bad, savedOptions.safeParse(bad).success]).toEqual([bad, false]);
  });
  it('reads back as objects for a client', () => {
    expect(
      readableOptions({ mode: 'insert', mapping: '{"A":"a"}', relations: '{"org":"domain"}', match: 'a,b' }),
    ).toEqual({ mode: 'insert', mapping: { A: 'a' }, relations: { org: 'domain' }, match: 'a,b' });
  });
});

describe('savedMappingCreate and savedMappingUpdate', () => {
  it('takes a trimmed name, a collection and options', () => {
    expect(savedMappingCreate.parse({ name: ' Monthly ', collection: 'tickets', options: { mode: 'insert' } })).toEqual(
      {
        name: 'Monthly',
        collection: 'tickets',
        options: { mode: 'insert' },
      },
    );
  });
  it('refuses an empty or overlong name, a bad collection, unknown keys, and an empty update', () => {
    const ok = { name: 'a', collection: 'tickets', options: {} };
    expect(savedMappingCreate.safeParse(ok).success).toBe(true);
    for (const bad of [
      { ...ok, name: '  ' },
      { ...ok, name: 'x'.repeat(101) },
      { ...ok, name: 'a\u0000b' },
      { ...ok, collection: 'no-such thing' },
      { ...ok, extra: 1 },
      { name: 'a', collection: 'tickets' },
    ])
      expect(savedMappingCreate.safeParse(bad).success).toBe(false);
    expect(savedMappingUpdate.safeParse({}).success).toBe(false);
    expect(savedMappingUpdate.safeParse({ name: 'b' }).success).toBe(true);
    expect(savedMappingUpdate.safeParse({ owner: 'b' }).success).toBe(false);
  });
});

describe('withSavedOptions', () => {
  it("fills what the request does not give; the request's own options win; mapping_id is dropped", () => {
    expect(
      withSavedOptions(
        { mode: 'upsert', match: 'number', mapping: '{"A":"a"}' },
        { mapping_id: 'x', mode: 'insert', dry_run: 'true' },
      ),
    ).toEqual({ mode: 'insert', match: 'number', mapping: '{"A":"a"}', dry_run: 'true' });
  });
});

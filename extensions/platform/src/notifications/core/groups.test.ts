import { describe, expect, it } from '@jest/globals';
import { createAudienceGroups } from './groups.js';

type Db = { rows: Array<{ value: string; user: string }> };

describe('audience groups', () => {
  it('asks the registered resolver for the values, groups members by value', async () => {
    const groups = createAudienceGroups<Db>();
    const asked: string[][] = [];
    groups.register('organization', async (db, values) => {
      asked.push(values);
      return db.rows.filter((row) => values.includes(row.value));
    });
    const db = {
      rows: [
        { value: 'acme', user: 'ava' },
        { value: 'acme', user: 'ben' },
        { value: 'globex', user: 'gina' },
      ],
    };
    const unknown: string[] = [];
    const members = await groups.members(db, { organization: ['acme', 'initech'], team: ['7'], empty: [] }, (g) =>
      unknown.push(g),
    );
    expect(members).toEqual({ organization: { acme: ['ava', 'ben'] } });
    expect(asked).toEqual([['acme', 'initech']]);
    expect(unknown).toEqual(['team']);
  });

  it('refuses names the rules use for themselves or that are not plain words', () => {
    const groups = createAudienceGroups<Db>();
    const resolver = async () => [];
    expect(() => groups.register('field', resolver)).toThrow(/cannot name an audience group/);
    expect(() => groups.register('role', resolver)).toThrow(/cannot name an audience group/);
    expect(() => groups.register('Org Members', resolver)).toThrow(/cannot name an audience group/);
    expect(() => groups.register('org_members', resolver)).not.toThrow();
  });
});

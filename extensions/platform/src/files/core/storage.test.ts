import { describe, expect, it } from '@jest/globals';
import { checkEnv } from '../../shared/env.js';
import { locationNames, s3Config, storageLocations, storageProblems } from './storage.js';

const S3 = {
  STORAGE_LOCATIONS: 's3',
  STORAGE_S3_DRIVER: 's3',
  STORAGE_S3_BUCKET: 'groundwork-files',
  STORAGE_S3_REGION: 'eu-central-1',
};

describe('storageLocations', () => {
  it('is local by default, with the local driver', () => {
    expect(storageLocations({})).toEqual([{ name: 'local', driver: 'local', options: {} }]);
    expect(locationNames({ STORAGE_LOCATIONS: ' , ' })).toEqual(['local']);
  });

  it("reads each location's variables in camelCase, with booleans cast, as Directus does", () => {
    const locations = storageLocations({
      ...S3,
      STORAGE_LOCATIONS: 'local, s3',
      STORAGE_LOCAL_ROOT: './uploads',
      STORAGE_S3_FORCE_PATH_STYLE: 'true',
      STORAGE_S3_SERVER_SIDE_ENCRYPTION: 'aws:kms',
      STORAGE_S3_ROOT: '',
      STORAGE_S3X_BUCKET: 'not this location',
    });
    expect(locations).toEqual([
      { name: 'local', driver: 'local', options: { root: './uploads' } },
      {
        name: 's3',
        driver: 's3',
        options: {
          bucket: 'groundwork-files',
          region: 'eu-central-1',
          forcePathStyle: true,
          serverSideEncryption: 'aws:kms',
        },
      },
    ]);
  });

  it('takes the array Directus makes of STORAGE_LOCATIONS, and gives the S3 driver strings', () => {
    const [location] = storageLocations({ ...S3, STORAGE_LOCATIONS: ['s3'], STORAGE_S3_KEY: 12345 });
    expect(s3Config(location!)).toMatchObject({ bucket: 'groundwork-files', key: '12345' });
  });
});

describe('storageProblems', () => {
  it('accepts local storage and a complete s3 location, with or without keys', () => {
    expect(storageProblems({})).toEqual([]);
    expect(storageProblems(S3)).toEqual([]);
    expect(
      storageProblems({
        ...S3,
        STORAGE_S3_KEY: 'k',
        STORAGE_S3_SECRET: 's',
        STORAGE_S3_ENDPOINT: 'http://127.0.0.1:9000',
        STORAGE_S3_FORCE_PATH_STYLE: 'false',
        STORAGE_S3_ACL: 'private',
      }),
    ).toEqual([]);
  });

  it.each([
    ['a location without a driver', { STORAGE_LOCATIONS: 'files' }, 'STORAGE_FILES_DRIVER must be set'],
    ['a bucket-less s3 location', { ...S3, STORAGE_S3_BUCKET: '' }, 'STORAGE_S3_BUCKET must be set'],
    ['a key without a secret', { ...S3, STORAGE_S3_KEY: 'k' }, 'STORAGE_S3_KEY and STORAGE_S3_SECRET go together'],
    ['a secret without a key', { ...S3, STORAGE_S3_SECRET: 's' }, 'STORAGE_S3_KEY and STORAGE_S3_SECRET go together'],
    ['an endpoint with a path', { ...S3, STORAGE_S3_ENDPOINT: 'https://s3.example.com/bucket' }, 'ENDPOINT'],
    ['an endpoint that is no URL', { ...S3, STORAGE_S3_ENDPOINT: 's3.example.com' }, 'STORAGE_S3_ENDPOINT'],
    ['a path style that is no boolean', { ...S3, STORAGE_S3_FORCE_PATH_STYLE: 'yes' }, 'FORCE_PATH_STYLE'],
    ['a public ACL', { ...S3, STORAGE_S3_ACL: 'public-read' }, 'STORAGE_S3_ACL must not make objects public'],
  ])('refuses %s, naming the variable and never the value', (_label, env, message) => {
    const problems = storageProblems(env);
    expect(problems).toEqual([expect.stringContaining(message)]);
    expect(problems.join()).not.toContain('s3.example.com');
  });

  it('is part of the env check that npm start and the hook make', () => {
    expect(checkEnv(S3)).toMatchObject({ ok: true });
    const result = checkEnv({ ...S3, STORAGE_S3_KEY: 'k', PORT: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        expect.stringContaining('PORT'),
        expect.stringContaining('STORAGE_S3_KEY and STORAGE_S3_SECRET'),
      ]);
    }
  });
});

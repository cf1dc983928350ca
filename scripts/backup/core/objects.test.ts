import { describe, expect, it } from '@jest/globals';
import { isBucketName, restoreBuckets, unsafeKeys } from './objects.js';

const configured = (buckets: Record<string, string>) => (location: string) => buckets[location];

describe('restoreBuckets', () => {
  it('takes a bare bucket for a backup with one S3 location', () => {
    const choice = restoreBuckets(['restored-files'], ['s3'], configured({}));
    expect(choice).toEqual({ ok: true, buckets: new Map([['s3', 'restored-files']]) });
  });

  it('takes <location>=<bucket>, and the configured bucket for a location not named', () => {
    const choice = restoreBuckets(['s3=new-one'], ['s3', 'archive'], configured({ archive: 'old-archive' }));
    expect(choice).toEqual({
      ok: true,
      buckets: new Map([
        ['s3', 'new-one'],
        ['archive', 'old-archive'],
      ]),
    });
  });

  it.each([
    ['a bare bucket with two locations', ['x-bucket'], ['s3', 'archive'], 'name one as <location>=<bucket>'],
    ['an unknown location', ['media=x-bucket'], ['s3'], 'has no S3 location "media"'],
    ['an invalid bucket name', ['s3=Bad_Bucket'], ['s3'], 'not a valid bucket name'],
    ['a location with no bucket at all', [], ['s3'], 'no bucket for the S3 location "s3"'],
  ])('refuses %s', (_label, given, locations, message) => {
    const choice = restoreBuckets(given, locations, configured({}));
    expect(choice.ok ? [] : choice.problems).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });
});

describe('bucket names and keys', () => {
  it('follows S3 bucket naming', () => {
    expect(['abc', 'groundwork-files.eu', '0-a'].every(isBucketName)).toBe(true);
    expect(['ab', 'Upper', '-start', 'end-', 'a_b', 'x'.repeat(64)].some(isBucketName)).toBe(false);
  });

  it('names the keys that cannot become files', () => {
    expect(unsafeKeys(['a.png', 'folder/b.png', '../up', '/abs', 'a//b'])).toEqual(['../up', '/abs', 'a//b']);
  });
});

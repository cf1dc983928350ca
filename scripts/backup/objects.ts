// The S3 side of a backup and a restore (decision 0048), through Directus's own S3 driver configured from the same
// STORAGE_<NAME>_* variables Directus reads, so keys, root and endpoint mean exactly what they mean to Directus.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DriverS3, DriverS3Config } from '@directus/storage-driver-s3';
import type { S3LocationConfig } from '../../extensions/platform/src/files/core/storage.js';
import { pipeHashed } from './files.js';

export interface ObjectStore {
  driver: DriverS3;
  /** The driver's own client (private in its types; Directus 11.17.4 is pinned): bucket calls use its config. */
  client: S3Client;
  bucket: string;
}

/**
 * The S3 SDK and Directus's driver, loaded when a location needs them: loaded at start, they made every backup and
 * restore, of local storage alone too, take 3.2 s and 5.3 s of CPU before its first line (docs/benchmarks.md, "The
 * test suite's wall time").
 */
let s3Modules: Promise<[typeof import('@aws-sdk/client-s3'), typeof import('@directus/storage-driver-s3')]> | undefined;
const loadS3 = () => (s3Modules ??= Promise.all([import('@aws-sdk/client-s3'), import('@directus/storage-driver-s3')]));

export async function openObjectStore(config: S3LocationConfig): Promise<ObjectStore> {
  const [, { DriverS3 }] = await loadS3();
  // The env check (storageProblems) has vetted the values; the driver's own types are narrower unions of strings.
  const driver = new DriverS3(config as DriverS3Config);
  return { driver, client: (driver as unknown as { client: S3Client }).client, bucket: config.bucket };
}

/** Every key below the location's root, sorted. */
export async function listKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.driver.list()) keys.push(key);
  return keys.sort();
}

/** Copies an object into a file (folders made), hashing it on the way. */
export async function downloadHashed(store: ObjectStore, key: string, to: string) {
  mkdirSync(path.dirname(to), { recursive: true });
  return pipeHashed(await store.driver.read(key), createWriteStream(to, { flags: 'wx' }));
}

/** Writes a file as an object. */
export async function uploadFile(store: ObjectStore, key: string, from: string): Promise<void> {
  await store.driver.write(key, createReadStream(from));
}

/** The sha256 of an object as the bucket serves it back. */
export async function hashObject(store: ObjectStore, key: string) {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return pipeHashed(await store.driver.read(key), sink);
}

/** Whether the bucket exists (false on 404; any other error, such as a refused key, is thrown). */
export async function bucketExists(store: ObjectStore): Promise<boolean> {
  const [{ HeadBucketCommand }] = await loadS3();
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw error;
  }
}

export async function createBucket(store: ObjectStore): Promise<void> {
  const [{ CreateBucketCommand }] = await loadS3();
  await store.client.send(new CreateBucketCommand({ Bucket: store.bucket }));
}

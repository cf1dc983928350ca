// A local S3-compatible server for the storage tests: s3rver (npm, 3.7.1) on a free port, files in a private
// temporary folder, one fresh bucket. It speaks S3's REST API with signature V4, so Directus's own S3 driver and the
// backup scripts talk to it as they would to AWS or MinIO. Its credentials are s3rver's fixed S3RVER / S3RVER.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DriverS3 } from '@directus/storage-driver-s3';
import S3rver from 's3rver';

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** The STORAGE_<NAME>_* variables of a location `name` on this server's bucket (or another bucket on it). */
  env(name?: string, bucket?: string): Record<string, string>;
  /** The keys in `bucket` (default: this server's), sorted. */
  keys(bucket?: string): Promise<string[]>;
  /** An object's bytes. */
  read(key: string, bucket?: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = `groundwork-${Date.now().toString(36)}`): Promise<S3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'groundwork-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = (name = 's3', target = bucket): Record<string, string> => {
    const prefix = `STORAGE_${name.toUpperCase()}_`;
    return {
      [`${prefix}DRIVER`]: 's3',
      [`${prefix}KEY`]: 'S3RVER',
      [`${prefix}SECRET`]: 'S3RVER',
      [`${prefix}BUCKET`]: target,
      [`${prefix}REGION`]: 'us-east-1',
      [`${prefix}ENDPOINT`]: endpoint,
      [`${prefix}FORCE_PATH_STYLE`]: 'true',
    };
  };
  const driver = (target = bucket) =>
    new DriverS3({
      key: 'S3RVER',
      secret: 'S3RVER',
      bucket: target,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
    });
  return {
    endpoint,
    bucket,
    env,
    async keys(target = bucket) {
      const found: string[] = [];
      for await (const key of driver(target).list()) found.push(key);
      return found.sort();
    },
    async read(key, target = bucket) {
      const chunks: Buffer[] = [];
      for await (const chunk of await driver(target).read(key)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

// The file side of a backup: walk a folder, copy each file while hashing it, hash files in place.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { relativeEntry, type FileEntry } from './core/manifest.js';

/** Every regular file under `root`, as forward-slash paths relative to it (symbolic links are not followed). */
export function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relativeEntry(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Pipes `from` into `to`, hashing the bytes as they pass: one read of the source (a file or an object). */
export async function pipeHashed(from: Readable, to: Writable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(from, tap, to);
  return { bytes, sha256: hash.digest('hex') };
}

/** Copies `from` to `to` (folders made), hashing the bytes as they pass. */
export async function copyHashed(from: string, to: string): Promise<{ bytes: number; sha256: string }> {
  mkdirSync(path.dirname(to), { recursive: true });
  return pipeHashed(createReadStream(from), createWriteStream(to, { flags: 'wx' }));
}

/** The checksums of every file under `root`. */
export async function hashTree(root: string, onFile?: (index: number, total: number) => void): Promise<FileEntry[]> {
  const files = listFiles(root);
  const out: FileEntry[] = [];
  for (const [index, file] of files.entries()) {
    out.push({ path: file, ...(await hashFile(path.join(root, file))) });
    onFile?.(index + 1, files.length);
  }
  return out;
}

export function isEmptyFolder(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

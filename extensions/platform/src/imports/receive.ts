// The uploaded file, counted as it streams: multipart/form-data (one file, options as fields) or the raw body
// (text/csv, application/x-ndjson, application/octet-stream). Past the byte limit the rest is drained unread and
// the request refused (413): memory never holds more than the limit.
import busboy from 'busboy';
import { ContentTooLargeError } from '@directus/errors';
import type { Request } from 'express';
import { UploadRefusedError } from '../shared/errors.js';

export interface Received {
  bytes: Buffer;
  name: string;
  contentType: string;
  fields: Record<string, string>;
}

export function receiveFile(req: Request, maxBytes: number): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume(); // drain the rest unread, so the refusal can be answered
      reject(error);
    };
    const collect = (stream: NodeJS.ReadableStream, onEnd: (bytes: Buffer) => void) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > maxBytes) fail(new ContentTooLargeError());
        else chunks.push(chunk);
      });
      stream.on('end', () => onEnd(Buffer.concat(chunks)));
      stream.on('error', fail);
    };

    if (!req.is('multipart/form-data')) {
      // A JSON body was parsed by Directus before us (and limited to its MAX_PAYLOAD_SIZE): send files as multipart.
      if (req.readableEnded || (req as { _body?: boolean })._body)
        return fail(
          new UploadRefusedError({ reason: 'Send the file as multipart/form-data, or as a raw text/csv body.' }),
        );
      collect(req, (bytes) => {
        if (done) return;
        done = true;
        resolve({ bytes, name: '', contentType: String(req.headers['content-type'] ?? ''), fields: {} });
      });
      req.on('aborted', () => fail(new UploadRefusedError({ reason: 'The upload was interrupted.' })));
      return;
    }

    const fields: Record<string, string> = {};
    let file: { bytes: Buffer; name: string; contentType: string } | null = null;
    let reading: Promise<void> | null = null;
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fields: 20, fieldSize: 64 * 1024 },
      });
    } catch (error) {
      return fail(new UploadRefusedError({ reason: `The multipart body is malformed: ${(error as Error).message}` }));
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      if (done) return void stream.resume();
      reading = new Promise<void>((ended) =>
        collect(stream, (bytes) => {
          file = { bytes, name: info.filename ?? '', contentType: info.mimeType ?? '' };
          ended();
        }),
      );
    });
    parser.on('filesLimit', () => fail(new UploadRefusedError({ reason: 'Send one file per import.' })));
    parser.on('fieldsLimit', () => fail(new UploadRefusedError({ reason: 'Too many fields.' })));
    parser.on('error', (error: Error) =>
      fail(new UploadRefusedError({ reason: `The multipart body is malformed: ${error.message}` })),
    );
    parser.on('close', () => {
      void Promise.resolve(reading).then(() => {
        if (done) return;
        const received = file as { bytes: Buffer; name: string; contentType: string } | null;
        if (!received) return fail(new UploadRefusedError({ reason: 'The multipart body has no file.' }));
        done = true;
        resolve({ ...received, fields });
      });
    });
    req.on('aborted', () => fail(new UploadRefusedError({ reason: 'The upload was interrupted.' })));
    req.pipe(parser);
  });
}

// The malware scanner port and its production adapter: clamd over TCP with INSTREAM (core/clamd.ts frames it).
// Any other scanner fits the port: it receives the path of the upload's temporary file and answers clean or
// infected, and throws when it could not scan (the upload is then refused with a 503, never stored unscanned).
import { createReadStream } from 'node:fs';
import net from 'node:net';
import { END_OF_STREAM, frameChunk, INSTREAM_COMMAND, parseInstreamReply, type ScanResult } from './core/clamd.js';

export type { ScanResult };

export interface Scanner {
  /** Names the scanner in logs and security events. */
  name: string;
  scan(file: string): Promise<ScanResult>;
}

export interface ClamdOptions {
  host: string;
  port: number;
  /** For the whole exchange: connect, send, answer. */
  timeoutMs: number;
}

export function clamdScanner({ host, port, timeoutMs }: ClamdOptions): Scanner {
  return {
    name: `clamd ${host}:${port}`,
    scan: (file) =>
      new Promise<ScanResult>((resolve, reject) => {
        const socket = net.connect({ host, port });
        const input = createReadStream(file, { highWaterMark: 64 * 1024 });
        const replies: Buffer[] = [];
        let settled = false;
        const finish = (error: Error | null, result?: ScanResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          input.destroy();
          socket.destroy();
          if (error) reject(error);
          else resolve(result!);
        };
        const timer = setTimeout(() => finish(new Error(`clamd did not answer within ${timeoutMs} ms`)), timeoutMs);
        socket.on('error', (error) => finish(error));
        input.on('error', (error) => finish(error));
        socket.on('data', (data: Buffer) => replies.push(data));
        // clamd closes the connection after its one reply (or earlier, e.g. past StreamMaxLength, with an error line).
        socket.on('end', () => {
          try {
            finish(null, parseInstreamReply(Buffer.concat(replies).toString('utf8')));
          } catch (error) {
            finish(error as Error);
          }
        });
        socket.on('connect', () => {
          socket.write(INSTREAM_COMMAND);
          input.on('data', (chunk) => {
            // Back-pressure: clamd reads at its own pace.
            if (!socket.write(frameChunk(chunk as Buffer))) {
              input.pause();
              socket.once('drain', () => input.resume());
            }
          });
          input.on('end', () => socket.write(END_OF_STREAM));
        });
      }),
  };
}

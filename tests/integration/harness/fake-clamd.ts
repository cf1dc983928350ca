// A local stand-in for clamd (ClamAV's daemon) speaking its INSTREAM protocol over TCP, for the upload scanning tests:
// it flags the EICAR test string, answers OK to anything else, and downloads no signatures. It counts the streams it
// scanned, so a test can tell a file was scanned at all.
import net from 'node:net';
import { readInstream } from '../../../extensions/platform/src/files/core/clamd.js';

/** The EICAR anti-malware test file (68 bytes): every scanner flags it; it does nothing. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface FakeClamd {
  port: number;
  /** Streams scanned so far. */
  scanned(): number;
  close(): Promise<void>;
}

export async function startFakeClamd(): Promise<FakeClamd> {
  let scanned = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer: Buffer = Buffer.alloc(0);
    let commandRead = false;
    const body: Buffer[] = [];
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!commandRead) {
        const end = buffer.findIndex((byte) => byte === 0 || byte === 0x0a);
        if (end < 0) return;
        const command = buffer.subarray(0, end).toString('latin1');
        if (command !== 'zINSTREAM' && command !== 'nINSTREAM') {
          socket.end('UNKNOWN COMMAND\0');
          return;
        }
        commandRead = true;
        buffer = buffer.subarray(end + 1);
      }
      const { chunks, ended, rest } = readInstream(buffer);
      body.push(...chunks);
      buffer = rest;
      if (!ended) return;
      scanned += 1;
      const infected = Buffer.concat(body).includes(EICAR, 0, 'latin1');
      socket.end(infected ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    scanned: () => scanned,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

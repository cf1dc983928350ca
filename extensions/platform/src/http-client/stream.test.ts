// The hardened client's stream(): the same address checks as request(), and a body read as it arrives, bounded by a
// first-byte timeout, a total timeout and a byte count; a connection cut mid-answer is an error, not an end.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildDenyList, denyListEntries } from './core/deny-list.js';
import { createHttpClient, OutboundRequestError } from './request.js';

const loopback = [{ address: '127.0.0.1', cidr: '127.0.0.1/8', internal: true }];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 30);
    } else if (req.url === '/silent') {
      res.writeHead(200); // headers, then nothing
    } else if (req.url === '/dribble') {
      res.writeHead(200);
      res.write('x'); // the first byte with the headers: only the total bound can end this answer
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    } else if (req.url === '/cut') {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 30);
    } else if (req.url === '/big') {
      res.writeHead(200).end('y'.repeat(5000));
    } else {
      res.writeHead(500).end('failing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = { connectTimeoutMs: 1000, totalTimeoutMs: 5000, maxResponseBytes: 1024 };
const open = createHttpClient({ ...options, denyList: buildDenyList([], loopback) });
const guarded = createHttpClient({ ...options, denyList: buildDenyList(denyListEntries(undefined), loopback) });
const limits = { firstByteTimeoutMs: 300, totalTimeoutMs: 600, maxBytes: 1000 };

async function readAll(path: string): Promise<{ status: number; text: string }> {
  const response = await open.stream({ method: 'POST', url: `${base}${path}` }, limits);
  let text = '';
  for await (const chunk of response.body) text += chunk.toString('utf8');
  return { status: response.status, text };
}
async function failure(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('no failure');
}

describe('stream()', () => {
  it('reads the answer as it arrives', async () => {
    expect(await readAll('/events')).toEqual({ status: 200, text: 'data: one\n\ndata: two\n\n' });
  });

  it('hands over an error status with its body', async () => {
    expect(await readAll('/fail')).toEqual({ status: 500, text: 'failing' });
  });

  it('refuses a denied address before connecting', async () => {
    const error = await failure(guarded.stream({ method: 'POST', url: `${base}/events` }, limits));
    expect(error.code).toBe('denied');
  });

  it('fails when no byte of the body comes in time', async () => {
    const started = Date.now();
    expect((await failure(readAll('/silent'))).code).toBe('first_byte_timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails when the whole answer takes too long, though bytes keep coming', async () => {
    // A first-byte bound far past the total one, so a loaded machine (CI saw a late first byte) cannot end it
    // early; the bytes counted before the failure show the answer was flowing when the total bound ended it.
    const response = await open.stream(
      { method: 'POST', url: `${base}/dribble` },
      { firstByteTimeoutMs: 10_000, totalTimeoutMs: 1000, maxBytes: 1000 },
    );
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const chunk of response.body) received += chunk.length;
      })(),
    );
    expect(error.code).toBe('timeout');
    expect(received).toBeGreaterThan(0);
  });

  it('fails when the connection is cut mid-answer', async () => {
    expect((await failure(readAll('/cut'))).code).toBe('network');
  });

  it('fails past the byte bound', async () => {
    expect((await failure(readAll('/big'))).code).toBe('too_large');
  });

  it('stops reading when the consumer stops', async () => {
    const response = await open.stream({ method: 'POST', url: `${base}/dribble` }, limits);
    for await (const chunk of response.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
  });
});

// The hardened client against real local servers (127.0.0.1): loopback is allowed by an empty deny list here and
// refused by Directus's default one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildDenyList, denyListEntries } from './core/deny-list.js';
import { createHttpClient, OutboundRequestError } from './request.js';

const loopback = [{ address: '127.0.0.1', cidr: '127.0.0.1/8', internal: true }];
let server: http.Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.host}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (req.url === '/big') {
      res.writeHead(200).end('x'.repeat(10_000));
    } else if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('late'), 1000).unref();
    } else {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(201, { 'x-echo': body }).end('ok'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const limits = { connectTimeoutMs: 1000, totalTimeoutMs: 500, maxResponseBytes: 1024 };
const open = createHttpClient({ ...limits, denyList: buildDenyList([], loopback) });
const guarded = createHttpClient({ ...limits, denyList: buildDenyList(denyListEntries(undefined), loopback) });

async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

describe('the hardened HTTP client', () => {
  it('posts and reads the answer when the address is allowed', async () => {
    const response = await open.request({ method: 'POST', url: `${base}/hook`, body: 'hello' });
    expect(response).toMatchObject({ status: 201, body: 'ok', truncated: false, address: '127.0.0.1' });
    expect(response.headers['x-echo']).toBe('hello');
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses 127.0.0.1 under Directus's default deny list, before connecting", async () => {
    const before = seen.length;
    expect((await refusal(guarded.request({ method: 'POST', url: `${base}/hook` }))).code).toBe('denied');
    expect((await refusal(guarded.request({ method: 'GET', url: 'http://[::ffff:127.0.0.1]:1/' }))).code).toBe(
      'denied',
    );
    expect(seen.length).toBe(before);
  });

  it('refuses a name when any address it resolves to is denied, and connects to the checked address', async () => {
    const port = (server.address() as AddressInfo).port;
    const rebinding = createHttpClient({
      ...limits,
      denyList: buildDenyList(['169.254.169.254'], loopback),
      resolve: async () => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    expect((await refusal(rebinding.request({ method: 'GET', url: `http://hooks.example.test:${port}/` }))).code).toBe(
      'denied',
    );
    const pinned = createHttpClient({
      ...limits,
      denyList: buildDenyList([], loopback),
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const response = await pinned.request({ method: 'POST', url: `http://hooks.example.test:${port}/pinned` });
    expect(response.status).toBe(201);
    expect(seen.at(-1)).toBe(`POST /pinned hooks.example.test:${port}`);
  });

  it('follows no redirect: the 3xx is the answer', async () => {
    const response = await open.request({ method: 'GET', url: `${base}/redirect` });
    expect(response.status).toBe(302);
    expect(seen.some((line) => line.includes('meta-data'))).toBe(false);
  });

  it('reads at most maxResponseBytes', async () => {
    const response = await open.request({ method: 'GET', url: `${base}/big` });
    expect(response.status).toBe(200);
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(1024);
  });

  it('gives up after the total timeout', async () => {
    const started = Date.now();
    expect((await refusal(open.request({ method: 'GET', url: `${base}/slow` }))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('refuses what is not an http(s) URL, or carries credentials', async () => {
    expect((await refusal(open.request({ method: 'GET', url: 'file:///etc/passwd' }))).code).toBe('invalid_url');
    expect((await refusal(open.request({ method: 'GET', url: 'nonsense' }))).code).toBe('invalid_url');
    expect((await refusal(open.request({ method: 'GET', url: `http://u:p@example.com/` }))).code).toBe('invalid_url');
  });

  it('reports a refused connection as a network error', async () => {
    const error = await refusal(open.request({ method: 'GET', url: 'http://127.0.0.1:1/' }));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

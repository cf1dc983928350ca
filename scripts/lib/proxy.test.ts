// The round-robin proxy over real sockets: two small upstreams, one that refuses connections, one that drops a
// request it has read.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort } from './free-port.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './proxy.js';

const servers: http.Server[] = [];
let proxy: RoundRobinProxy | undefined;

async function upstream(name: string, behaviour: 'answer' | 'drop' = 'answer'): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (behaviour === 'drop') return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name,
          method: req.method,
          url: req.url,
          body: Buffer.concat(chunks).toString(),
          forwardedFor: req.headers['x-forwarded-for'],
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await proxy?.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function send(method: string, route: string, body?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${proxy!.url}${route}`, { method, body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('round-robin proxy', () => {
  it('alternates upstreams and passes method, path, body and X-Forwarded-For', async () => {
    proxy = await startRoundRobinProxy({ upstreams: [await upstream('a'), await upstream('b')] });
    const first = await send('POST', '/items/x?y=1', '{"v":1}', { 'x-forwarded-for': '198.51.100.1' });
    expect(first.body).toEqual({
      name: 'a',
      method: 'POST',
      url: '/items/x?y=1',
      body: '{"v":1}',
      forwardedFor: '198.51.100.1, 127.0.0.1',
    });
    expect((await send('GET', '/')).body.name).toBe('b');
    expect((await send('GET', '/')).body.name).toBe('a');
    expect(proxy.served).toEqual([2, 1]);
  });

  it('sends a write whose connection was refused to the next upstream', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    proxy = await startRoundRobinProxy({ upstreams: [closed, await upstream('b')] });
    const response = await send('POST', '/items/x', '{}');
    expect(response).toMatchObject({ status: 200, body: { name: 'b' } });
    // The refused upstream rests: the next requests go straight to b.
    expect((await send('GET', '/')).body.name).toBe('b');
  });

  it('repeats a read that failed mid-way, and answers 502 for such a write', async () => {
    proxy = await startRoundRobinProxy({ upstreams: [await upstream('a', 'drop'), await upstream('b')], restMs: 0 });
    expect((await send('GET', '/items/x')).body.name).toBe('b');
    const write = await send('PATCH', '/items/x', '{}');
    expect(write.status).toBe(502);
    expect(write.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'BAD_GATEWAY' } })] });
  });

  it('answers 502 when no upstream answers', async () => {
    proxy = await startRoundRobinProxy({ upstreams: [`http://127.0.0.1:${await freePort()}`] });
    expect((await send('GET', '/')).status).toBe(502);
  });
});

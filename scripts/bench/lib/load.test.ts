import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from './load.js';

// A local server that answers 200 to GET and 201 to anything else, and remembers the methods it saw per path.
const seen = new Map<string, Set<string>>();
const server = http.createServer((request, response) => {
  const path = request.url ?? '';
  seen.set(path, (seen.get(path) ?? new Set()).add(request.method ?? ''));
  request.resume();
  request.on('end', () => response.writeHead(request.method === 'GET' ? 200 : 201).end('{}'));
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('runLoad', () => {
  it('sends GET when no method is given (bench:auth and bench:health pass none)', async () => {
    const result = await runLoad({ label: 'get', url: `${url}/get`, connections: 1, durationSeconds: 1 });
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    expect([...seen.get('/get')!]).toEqual(['GET']);
  });

  it('sends the given method and body', async () => {
    const result = await runLoad({
      label: 'post',
      url: `${url}/post`,
      connections: 1,
      durationSeconds: 1,
      method: 'POST',
      body: '{}',
    });
    expect(result.errors).toBe(0);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    expect([...seen.get('/post')!]).toEqual(['POST']);
  });
});

// A local webhook receiver for the webhooks tests: a real HTTP server on 127.0.0.1 that records what arrives and
// checks each message's Standard Webhooks signatures with the maintained `standardwebhooks` package (not our code),
// against every secret the test gave it. Paths choose the answer: /ok 200, /gone 410, /fail 500, /busy 503 with Retry-After
// on the first message then 200. It can go down (stop listening: connections refused) and come back on its port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';
import { Webhook } from 'standardwebhooks';

export interface Arrival {
  path: string;
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  /** The secrets (of those registered) one of whose signatures verifies. */
  verifiedWith: string[];
  at: number;
}

export interface WebhookReceiver {
  port: number;
  url(path: string): string;
  arrivals: Arrival[];
  /** Secrets to check signatures against. */
  secrets: Set<string>;
  down(): Promise<void>;
  up(): Promise<void>;
}

export function useWebhookReceiver(): WebhookReceiver {
  const busySeen = new Set<string>();
  const receiver: WebhookReceiver = {
    port: 0,
    url: (path) => `http://127.0.0.1:${receiver.port}${path}`,
    arrivals: [],
    secrets: new Set(),
    down: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    up: () => new Promise<void>((resolve) => server.listen(receiver.port, '127.0.0.1', resolve)),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verifiedWith = [...receiver.secrets].filter((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      receiver.arrivals.push({
        path: req.url ?? '',
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signatures: headers['webhook-signature'].split(' ').filter(Boolean),
        body,
        verifiedWith,
        at: Date.now(),
      });
      if (req.url === '/gone') res.writeHead(410).end('gone');
      else if (req.url === '/fail') res.writeHead(500).end('failing');
      else if (req.url === '/busy' && !busySeen.has(headers['webhook-id'])) {
        busySeen.add(headers['webhook-id']);
        res.writeHead(503, { 'retry-after': '3' }).end('busy');
      } else res.writeHead(200, { 'content-type': 'text/plain' }).end(`received ${headers['webhook-id']}`);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    if (server.listening) await receiver.down();
  });
  return receiver;
}

// A tiny round-robin HTTP proxy in front of several Directus instances, for tests and benchmarks (production puts
// nginx, HAProxy or a cloud load balancer there: ops/nginx/groundwork.conf). The choices live in core/round-robin.ts;
// this file only moves bytes. Request bodies are buffered (API calls are small) so a request whose connection was
// refused can go to the next instance; once an instance may have acted on a write, the client gets a 502 instead of
// a silent repeat. No websocket upgrades: the scaled setups here run with WEBSOCKETS_ENABLED=false.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createBalancer,
  drainUpstream,
  markFailed,
  markHealthy,
  mayRetry,
  pickUpstream,
  replaceUpstream,
} from './core/round-robin.js';

export interface RoundRobinProxy {
  url: string;
  /** How many requests each upstream answered (index as given). */
  served: number[];
  /** Takes upstream `index` out of rotation (before its instance stops: requests in flight finish there). */
  drain(index: number): void;
  /**
   * Resolves once no request sent to upstream `index` is still open: after `drain`, what the balancer's deregistration
   * delay (Kubernetes: the preStop sleep) waits for before the instance gets SIGTERM. Otherwise a request routed there
   * just before the drain can reach the port as the server stops listening, and is reset unanswered.
   */
  idle(index: number): Promise<void>;
  /** Puts upstream `index` back into rotation at `url` (the restarted instance). */
  replace(index: number, url: string): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Base URLs, e.g. http://127.0.0.1:8055. */
  upstreams: string[];
  /** How long an upstream that failed is skipped (ms). */
  restMs?: number;
  port?: number;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRoundRobinProxy(options: ProxyOptions): Promise<RoundRobinProxy> {
  const balancer = createBalancer(options.upstreams);
  const restMs = options.restMs ?? 2000;
  const served = options.upstreams.map(() => 0);
  const open = options.upstreams.map(() => 0);

  const server = http.createServer(async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const headers = { ...req.headers, 'x-forwarded-for': forwardedFor, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const method = req.method ?? 'GET';
    const tried = new Set<number>();

    const attempt = () => {
      const index = pickUpstream(balancer, Date.now(), tried);
      if (index === undefined) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'No upstream answered', extensions: { code: 'BAD_GATEWAY' } }] }));
        return;
      }
      tried.add(index);
      open[index]!++;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        open[index]!--;
      };
      let connected = false;
      const upstream = http.request(new URL(req.url ?? '/', balancer.upstreams[index]), {
        method,
        headers,
        agent: false,
      });
      upstream.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      upstream.on('response', (answer) => {
        markHealthy(balancer, index);
        served[index]!++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', close);
        answer.on('close', close);
        answer.on('error', () => res.destroy());
      });
      upstream.on('error', () => {
        close();
        markFailed(balancer, index, Date.now(), restMs);
        if (res.headersSent) res.destroy();
        else if (mayRetry(method, connected)) attempt();
        else {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              errors: [{ message: 'The instance failed mid-request', extensions: { code: 'BAD_GATEWAY' } }],
            }),
          );
        }
      });
      upstream.end(body);
    };
    attempt();
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    drain: (index) => drainUpstream(balancer, index),
    async idle(index) {
      while (open[index]! > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    replace: (index, url) => replaceUpstream(balancer, index, url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

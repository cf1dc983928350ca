// The one hardened client for outbound HTTP (issue 13): every request the platform makes to an address someone
// configured goes through it. It resolves the name itself, refuses it when any resolved address is on the deny list
// (core/deny-list.ts), then connects to the address it checked (node's `lookup` hook hands the socket that address,
// so a second resolution cannot swap it: no time-of-check/time-of-use gap). It follows no redirect (a 3xx is
// returned as the answer), bounds the connect and the whole exchange in time, and reads at most `maxResponseBytes`
// of the answer (the rest is dropped, the socket closed).
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { DenyList } from './core/deny-list.js';

export interface HttpClientOptions {
  denyList: DenyList;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxResponseBytes: number;
  /** Name resolution; the system resolver (getaddrinfo, as node's own) unless given. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
}

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most maxResponseBytes of the body, as UTF-8. */
  body: string;
  truncated: boolean;
  /** From the start of the request to the end of what was read. */
  latencyMs: number;
  /** The address connected to. */
  address: string;
}

export type OutboundErrorCode =
  | 'invalid_url'
  | 'denied'
  | 'dns'
  | 'connect_timeout'
  | 'first_byte_timeout'
  | 'timeout'
  | 'too_large'
  | 'network';

/** Bounds of a streamed exchange: its first body byte, the whole exchange, and the bytes read. */
export interface StreamLimits {
  firstByteTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
}

export interface OutboundStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as it arrives; throws an OutboundRequestError when a bound is passed or the connection breaks. */
  body: AsyncIterable<Buffer>;
  address: string;
}

/** Why a request got no answer; the message names the host, never a header or the body. */
export class OutboundRequestError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundRequestError';
  }
}

export interface HttpClient {
  request(request: OutboundRequest): Promise<OutboundResponse>;
  /** The same checks, for an answer read as it arrives (server-sent events): resolves once the headers are in. */
  stream(request: OutboundRequest, limits: StreamLimits): Promise<OutboundStream>;
}

const defaultResolve = (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const resolve = options.resolve ?? defaultResolve;

  /** The address to connect to: checked, and the one the socket will use. */
  async function checkedAddress(hostname: string): Promise<{ address: string; family: number }> {
    const literal = isIP(hostname);
    if (literal) {
      if (options.denyList.isDenied(hostname))
        throw new OutboundRequestError('denied', `${hostname} is a denied address (IMPORT_IP_DENY_LIST)`);
      return { address: hostname, family: literal };
    }
    let addresses: Array<{ address: string; family: number }>;
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      throw new OutboundRequestError(
        'dns',
        `${hostname} does not resolve (${(error as { code?: string }).code ?? 'error'})`,
      );
    }
    if (addresses.length === 0) throw new OutboundRequestError('dns', `${hostname} does not resolve`);
    // Any denied address refuses the name: a name with one public and one internal address is an attack, not a
    // choice to make per connection.
    const denied = addresses.find((entry) => options.denyList.isDenied(entry.address));
    if (denied)
      throw new OutboundRequestError('denied', `${hostname} resolves to a denied address (IMPORT_IP_DENY_LIST)`);
    return addresses[0]!;
  }

  /** The URL checked and the socket pinned to the checked address (shared by request and stream). */
  async function prepare(request: OutboundRequest) {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new OutboundRequestError('invalid_url', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRequestError('invalid_url', 'only http and https URLs');
    if (url.username || url.password) throw new OutboundRequestError('invalid_url', 'no credentials in the URL');
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const target = await checkedAddress(hostname);
    const pinned: LookupFunction = (_name, lookupOptions, callback) => {
      if ((lookupOptions as { all?: boolean }).all)
        (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const options: http.RequestOptions = {
      method: request.method,
      protocol: url.protocol,
      host: hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { 'user-agent': 'Groundwork', ...request.headers },
      lookup: pinned,
      agent: false,
    };
    return { url, hostname, target, transport, options };
  }

  return {
    async stream(request, limits) {
      const { url, hostname, target, transport, options: requestOptions } = await prepare(request);
      return new Promise<OutboundStream>((resolvePromise, reject) => {
        let failure: OutboundRequestError | null = null;
        let answered = false;
        const timers: NodeJS.Timeout[] = [];
        const clear = () => timers.forEach((timer) => clearTimeout(timer));
        const fail = (error: OutboundRequestError) => {
          if (failure) return;
          failure = error;
          clear();
          req.destroy();
          if (!answered) reject(error);
        };
        const req = transport.request(requestOptions);
        const after = (ms: number, error: () => OutboundRequestError) => {
          const timer = setTimeout(() => fail(error()), ms);
          timers.push(timer);
          return timer;
        };
        after(
          limits.totalTimeoutMs,
          () => new OutboundRequestError('timeout', `${hostname} took longer than ${limits.totalTimeoutMs} ms`),
        );
        const connect = after(
          options.connectTimeoutMs,
          () =>
            new OutboundRequestError(
              'connect_timeout',
              `${hostname}: no connection within ${options.connectTimeoutMs} ms`,
            ),
        );
        const firstByte = after(
          limits.firstByteTimeoutMs,
          () =>
            new OutboundRequestError(
              'first_byte_timeout',
              `${hostname}: no answer within ${limits.firstByteTimeoutMs} ms`,
            ),
        );
        req.on('socket', (socket) => {
          socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
        });
        req.on('error', (error: NodeJS.ErrnoException) =>
          fail(new OutboundRequestError('network', `${hostname}: ${error.code ?? error.message}`)),
        );
        req.on('response', (res) => {
          answered = true;
          async function* body(): AsyncGenerator<Buffer> {
            let size = 0;
            try {
              for await (const chunk of res as AsyncIterable<Buffer>) {
                clearTimeout(firstByte);
                size += chunk.length;
                if (size > limits.maxBytes)
                  throw new OutboundRequestError('too_large', `${hostname}: more than ${limits.maxBytes} bytes`);
                yield chunk;
              }
            } catch (error) {
              if (error instanceof OutboundRequestError) throw error;
              throw failure ?? new OutboundRequestError('network', `${hostname}: the answer was cut off`);
            } finally {
              clear();
              req.destroy();
            }
            // A bound passed while the body was idle ends the iteration without a chunk: still a failure.
            if (failure) throw failure as OutboundRequestError;
            if (!res.complete) throw new OutboundRequestError('network', `${hostname}: the answer was cut off`);
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: body(), address: target.address });
        });
        req.end(request.body);
      });
    },

    async request(request) {
      const started = performance.now();
      const { url, hostname, target, transport, options: requestOptions } = await prepare(request);

      return new Promise<OutboundResponse>((resolvePromise, reject) => {
        let settled = false;
        const fail = (error: OutboundRequestError) => {
          if (settled) return;
          settled = true;
          clearTimeout(total);
          clearTimeout(connect);
          req.destroy();
          reject(error);
        };
        // Webhook receivers see who calls (their logs); a fresh socket per request: no pooled connection outlives
        // its check; https checks the certificate against the name, as usual (servername defaults to host).
        const req = transport.request({
          ...requestOptions,
          headers: { 'user-agent': 'Groundwork-Webhooks', ...request.headers },
        });
        const total = setTimeout(
          () => fail(new OutboundRequestError('timeout', `${hostname} took longer than ${options.totalTimeoutMs} ms`)),
          options.totalTimeoutMs,
        );
        const connect = setTimeout(
          () =>
            fail(
              new OutboundRequestError(
                'connect_timeout',
                `${hostname}: no connection within ${options.connectTimeoutMs} ms`,
              ),
            ),
          options.connectTimeoutMs,
        );
        req.on('socket', (socket) => {
          socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
        });
        req.on('error', (error: NodeJS.ErrnoException) =>
          fail(new OutboundRequestError('network', `${hostname}: ${error.code ?? error.message}`)),
        );
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let truncated = false;
          const finish = () => {
            if (settled) return;
            settled = true;
            clearTimeout(total);
            clearTimeout(connect);
            resolvePromise({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated,
              latencyMs: Math.round(performance.now() - started),
              address: target.address,
            });
          };
          res.on('data', (chunk: Buffer) => {
            if (settled) return;
            const room = options.maxResponseBytes - size;
            if (chunk.length > room) {
              chunks.push(chunk.subarray(0, room));
              size += room;
              truncated = true;
              finish();
              res.destroy();
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', finish);
          res.on('error', () => (truncated ? undefined : finish()));
        });
        req.end(request.body);
      });
    },
  };
}

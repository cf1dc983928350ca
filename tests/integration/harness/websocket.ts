// One websocket client for the tests that talk to Directus's /websocket: it answers the server's heartbeat (Directus
// closes a socket that misses one), keeps every other message, and waits for a message by predicate.
import WebSocket from 'ws';

export type SocketMessage = Record<string, unknown>;

export interface TestSocket {
  /** Every message received except heartbeats, in order. */
  messages: SocketMessage[];
  closed(): boolean;
  send(message: unknown): void;
  /** The first message (already received or still to come) that matches; throws on close or timeout. */
  next(predicate: (message: SocketMessage) => boolean, timeoutMs?: number): Promise<SocketMessage>;
  close(): void;
}

/**
 * Opens `/websocket` on the instance at `baseUrl`. With `accessToken` the socket authenticates in the handshake
 * (`?access_token=`); without it the caller authenticates with an `auth` message, or stays public.
 */
export async function openTestSocket(baseUrl: string, accessToken?: string | null): Promise<TestSocket> {
  const query = accessToken ? `?access_token=${accessToken}` : '';
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/websocket${query}`);
  const messages: SocketMessage[] = [];
  let closed = false;
  const waiters: Array<() => void> = [];
  const wakeAll = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as SocketMessage;
    if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    else messages.push(message);
    wakeAll();
  });
  ws.on('close', () => {
    closed = true;
    wakeAll();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    messages,
    closed: () => closed,
    send: (message) => ws.send(JSON.stringify(message)),
    async next(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (closed) throw new Error(`socket closed; messages: ${JSON.stringify(messages)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such websocket message; got ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
    },
    close: () => ws.close(),
  };
}

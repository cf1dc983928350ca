// LISTEN on a PostgreSQL channel over a connection of its own (outside the pool: it stays open, and PgBouncer in
// transaction mode would not keep a LISTEN). Used by the events dispatcher (wake-ups) and the response-cache purger.
import type { Knex } from 'knex';

export interface ListenLogger {
  warn(details: object | string, message?: string): void;
}

export interface ListenOptions {
  database: Knex;
  channel: string;
  /** A notification's payload. */
  onNotify: (payload: string) => void;
  /**
   * Called each time LISTEN is established, `again` after a lost connection: whatever was notified while nobody
   * listened is lost, so a caller catches up here (the dispatcher claims, the purger purges after a loss).
   */
  onListening: (again: boolean) => void;
  logger: ListenLogger;
  /** Names the caller in its log lines ("events", "cache"). */
  label: string;
  /** Wait before reconnecting after an error or a dropped connection. */
  retryMs: number;
}

type RawConnection = {
  query(sql: string): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeAllListeners(): void;
  end(): Promise<void>;
};

/** Starts listening at once; reconnects on loss until `close`. `ready`: the first attempt is over (either way). */
export function listen(options: ListenOptions): { ready: Promise<void>; close(): Promise<void> } {
  const { database, channel, logger, label, retryMs } = options;
  const client = database.client as { acquireRawConnection(): Promise<RawConnection> };
  let connection: RawConnection | null = null;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let listened = false;

  const connect = async () => {
    if (closed) return;
    try {
      const next = await client.acquireRawConnection();
      next.on('notification', (message: unknown) =>
        options.onNotify(String((message as { payload?: string }).payload ?? '')),
      );
      const lost = (error?: unknown) => {
        if (connection !== next) return;
        connection = null;
        next.removeAllListeners();
        void next.end().catch(() => undefined);
        if (closed) return;
        logger.warn({ err: error }, `${label}: LISTEN connection lost; reconnecting`);
        retry = setTimeout(() => void connect(), retryMs);
      };
      next.on('error', lost);
      next.on('end', () => lost());
      await next.query(`LISTEN ${channel}`);
      connection = next;
      if (closed) await close();
      else {
        options.onListening(listened);
        listened = true;
      }
    } catch (error) {
      logger.warn({ err: error }, `${label}: could not LISTEN; retrying`);
      retry = setTimeout(() => void connect(), retryMs);
    }
  };
  const close = async () => {
    closed = true;
    clearTimeout(retry);
    const open = connection;
    connection = null;
    if (open) {
      open.removeAllListeners();
      open.on('error', () => undefined);
      await open.end().catch(() => undefined);
    }
  };
  return { ready: connect(), close };
}

// Directus 11 builds a request's accountability from the access token (JWT) alone: it accepts the token until it
// expires without looking at the user's status (only session-mode tokens are checked against directus_sessions),
// and it takes the role from the token, so a user moved to another role keeps the old role's policies for up to
// ACCESS_TOKEN_TTL. Websockets keep the accountability computed when they authenticated, admin/app flags included.
// This module makes the user's current row decide, on the next request and the next websocket message:
// - `authenticate` / `websocket.authenticate` filters: a JWT of a user who is not active is refused (401 /
//   AUTH_FAILED);
// - a middleware after Directus's `authenticate`: a verified JWT whose role is no longer the user's gets the
//   accountability of the current role (roles tree, admin, app), computed as Directus does for a fresh token;
// - websockets: every message, every authentication and a sweep each ACTIVE_TTL_MS recompute the socket's access
//   (so pushed subscription events use it too); a socket whose user is no longer active is closed.
// Cost: one primary-key read per user per second on HTTP (remembered for ACTIVE_TTL_MS; a change seen by this
// process is forgotten at once, other processes notice within ACTIVE_TTL_MS); three reads for a stale token; three
// reads per second per instance while websockets are connected, whatever their number.
import type { Accountability } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { InvalidCredentialsError } from '../shared/errors.js';
import { carriesAccess, currentAccess, type UserRow } from './core/current-access.js';
import { accessTokenUser } from './core/deactivation.js';
import { createUserMemory } from './core/user-memory.js';
import { createUsersStore, type AccessFacts } from './store.js';

export const ACTIVE_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

type TokenOf = (meta: Record<string, unknown>) => unknown;

/** HTTP: Directus's extract-token middleware has put the bearer token (header, query or cookie) on req.token. */
export const httpToken: TokenOf = (meta) => (meta.req as { token?: unknown } | undefined)?.token;
/** Websocket `auth` message: `{ type: 'auth', access_token }` (email/password and refresh_token already check status). */
export const websocketToken: TokenOf = (meta) => (meta.message as { access_token?: unknown } | undefined)?.access_token;

/** What we use of Directus's websocket client (the `ws` socket with the accountability Directus stores on it). */
export interface SocketClient {
  accountability: Accountability | null;
  close(code?: number, reason?: string): void;
}

/** Policy close code: the user behind the socket is no longer allowed in. */
const CLOSE_POLICY_VIOLATION = 1008;

/** A token refused because its user is no longer active (recorded as a security event by the caller). */
export type OnRefused = (refusal: { userId: string | null; channel: 'http' | 'websocket' }) => void;

export function createRevocation(database: Knex, onRefused: OnRefused = () => undefined) {
  const store = createUsersStore(database);
  const memory = { ttlMs: ACTIVE_TTL_MS, maxEntries: MAX_ENTRIES, now: Date.now };
  const rows = createUserMemory<UserRow | null>(memory);
  const facts = createUserMemory<AccessFacts | null>(memory);
  const sockets = new Set<SocketClient>();

  async function userRow(id: string): Promise<UserRow | null> {
    const known = rows.get(id);
    if (known !== undefined) return known;
    const ticket = rows.reading();
    const row = await store.userRow(id);
    rows.remember(id, row, ticket);
    return row;
  }

  async function accessFacts(ids: string[]): Promise<Map<string, AccessFacts | null>> {
    const result = new Map<string, AccessFacts | null>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = facts.get(id);
      if (known === undefined) missing.push(id);
      else result.set(id, known);
    }
    const ticket = facts.reading();
    for (const [id, found] of await store.accessFacts(missing)) {
      facts.remember(id, found, ticket);
      result.set(id, found);
    }
    return result;
  }

  /** The socket's user is gone or inactive: no further event may use its access, and the socket closes. */
  function shut(client: SocketClient, accountability: Accountability) {
    // Not null: Directus treats a null accountability as full access; this is the public one.
    client.accountability = { ...accountability, user: null, role: null, roles: [], admin: false, app: false };
    sockets.delete(client);
    client.close(CLOSE_POLICY_VIOLATION, 'User no longer active');
  }

  /** Corrects each socket's access in place; returns the sockets that were shut. */
  async function recheckSockets(clients: SocketClient[]): Promise<Set<SocketClient>> {
    const shutDown = new Set<SocketClient>();
    const users = new Set<string>();
    for (const client of clients) {
      const user = client.accountability?.user;
      if (user && !client.accountability?.share) users.add(user);
    }
    if (users.size === 0) return shutDown;
    const current = await accessFacts([...users]);
    for (const client of clients) {
      const accountability = client.accountability;
      if (!accountability?.user || accountability.share) continue;
      const found = current.get(accountability.user);
      if (!found || found.user.status !== 'active') {
        onRefused({ userId: accountability.user, channel: 'websocket' });
        shut(client, accountability);
        shutDown.add(client);
        continue;
      }
      const access = currentAccess(found.user, found.roles, found.rows, accountability.ip ?? null);
      if (!carriesAccess(accountability, access)) client.accountability = { ...accountability, ...access };
    }
    return shutDown;
  }

  return {
    refuseInactiveUsers(tokenOf: TokenOf, channel: 'http' | 'websocket') {
      return async <T>(accountability: T, meta: Record<string, unknown>): Promise<T> => {
        const token = tokenOf(meta);
        const user = accessTokenUser(typeof token === 'string' ? token : null);
        if (!user) return accountability;
        const row = await userRow(user);
        // An unknown id is left to Directus here (a forged token fails its signature check); the middleware below
        // refuses a verified token of a deleted user.
        if (row && row.status !== 'active') {
          onRefused({ userId: user, channel });
          throw new InvalidCredentialsError();
        }
        return accountability;
      };
    },

    /** Express middleware, after Directus's `authenticate`: the accountability of the user's current role. */
    currentRole() {
      return async (req: Request, _res: Response, next: NextFunction) => {
        try {
          const accountability = req.accountability;
          if (!accountability?.user || accountability.share) return next();
          const row = await userRow(accountability.user);
          if (!row || row.status !== 'active') {
            // A deleted account is not named: after an erasure its id must not come back into the events.
            onRefused({ userId: row ? accountability.user : null, channel: 'http' });
            throw new InvalidCredentialsError();
          }
          // Same role: Directus has just computed roles, admin and app from the policies (its cache is cleared on
          // every policy or access change).
          if (row.role === (accountability.role ?? null)) return next();
          const found = (await accessFacts([row.id])).get(row.id);
          if (!found || found.user.status !== 'active') throw new InvalidCredentialsError();
          req.accountability = {
            ...accountability,
            ...currentAccess(found.user, found.roles, found.rows, accountability.ip ?? null),
          };
          next();
        } catch (error) {
          next(error);
        }
      };
    },

    websocket: {
      track(meta: Record<string, unknown>) {
        const client = meta.client as SocketClient | undefined;
        if (!client) return;
        sockets.add(client);
        return recheckSockets([client]).then(() => undefined);
      },
      untrack(meta: Record<string, unknown>) {
        sockets.delete(meta.client as SocketClient);
      },
      /** `websocket.message` filter: the message runs with the user's current access, or not at all. */
      async recheckOnMessage<T>(message: T, meta: Record<string, unknown>): Promise<T> {
        const client = meta.client as SocketClient | undefined;
        if (!client) return message;
        if ((await recheckSockets([client])).has(client)) throw new InvalidCredentialsError();
        return message;
      },
      /** Subscription events are pushed without a message: sweep every socket once per ACTIVE_TTL_MS. */
      sweep(onError: (error: unknown) => void): () => void {
        let running = false;
        const timer = setInterval(() => {
          if (running || sockets.size === 0) return;
          running = true;
          recheckSockets([...sockets])
            .catch(onError)
            .finally(() => {
              running = false;
            });
        }, ACTIVE_TTL_MS);
        timer.unref();
        return () => clearInterval(timer);
      },
    },

    /** For `users.update` / `users.delete` actions: keys of users whose status or role may have changed. */
    forget(meta: Record<string, unknown>) {
      const keys = (meta.keys as unknown[] | undefined) ?? [];
      for (const key of keys) {
        if (typeof key !== 'string') continue;
        rows.forget(key);
        facts.forget(key);
      }
    },

    /** For role, policy and access changes: any user's access may have changed. */
    forgetAccess() {
      facts.clear();
    },
  };
}

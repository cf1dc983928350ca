// The `authenticate` filter for API keys (decision 0020). Directus 11 emits it before reading the token itself and
// uses what it returns when that differs from the public accountability. For a `gw_` bearer token it returns the
// accountability of the key's service user, computed like a fresh token's (roles tree, admin/app from its policies),
// or refuses with 401: unknown, wrong secret, revoked, expired, user not active, admin access, bad signature, replay.
// The key row is read on every request, so a revocation applies on the next one. Every refusal is a security event.
// It also refuses a static token (directus_users.token) of a user without admin access: integrations use keys.
import type { Accountability } from '@directus/types';
import type { Request } from 'express';
import { InvalidCredentialsError } from '../shared/errors.js';
import type { SecurityStore } from '../security/store.js';
import { currentAccess } from '../users/core/current-access.js';
import {
  keyState,
  looksLikeKey,
  parseKey,
  secretMatches,
  shouldRecordUse,
  signingSecret,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
  type KeyRefusal,
} from './core/key.js';
import type { ApiKeyRow, ApiKeyStore } from './store.js';

interface Logger {
  warn(object: object, message: string): void;
}

export interface KeyAuthenticationInput {
  store: ApiKeyStore;
  security: Pick<SecurityStore, 'record'>;
  /** The server SECRET; null when unset (keys that require signatures are then refused). */
  serverSecret: string | null;
  logger: Logger;
  clock?: () => number;
}

/** Directus JWTs have three dot-separated parts; static tokens and keys have none. */
const isJwt = (token: string) => token.split('.').length === 3;

/** The JSON body as received (Directus's JSON parser keeps it on req.rawBody); other bodies cannot be signed. */
function rawBodyOf(req: Request): Buffer | null {
  const raw = (req as Request & { rawBody?: Buffer }).rawBody;
  if (raw) return raw;
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] ? null : Buffer.alloc(0);
}

export function keyAuthentication({ store, security, serverSecret, logger, clock = Date.now }: KeyAuthenticationInput) {
  async function refuse(
    req: Request | null,
    reason: KeyRefusal | 'admin_access' | 'static_token',
    key: ApiKeyRow | null,
    prefix?: string,
  ): Promise<never> {
    await security
      .record({
        type: reason === 'static_token' ? 'static_token' : 'api_key',
        outcome: 'refused',
        userId: key?.user_id ?? null,
        ip: req ? (req.accountability?.ip ?? req.ip ?? null) : null,
        requestId: typeof req?.id === 'string' ? req.id : null,
        detail: {
          reason,
          ...(key ? { key_id: key.id } : {}),
          ...(prefix ? { prefix } : {}),
          path: req ? req.path : 'websocket',
        },
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'api-keys: could not record a refusal'));
    throw new InvalidCredentialsError();
  }

  async function verifyRequestSignature(req: Request, key: ApiKeyRow): Promise<KeyRefusal | null> {
    if (!serverSecret) return 'signature_bad';
    const body = rawBodyOf(req);
    if (body === null) return 'signature_malformed';
    const result = verifySignature(
      signingSecret(serverSecret, key.id),
      {
        method: req.method,
        pathAndQuery: req.originalUrl,
        body,
        timestamp: req.headers[TIMESTAMP_HEADER],
        signature: req.headers[SIGNATURE_HEADER],
      },
      clock(),
    );
    if (!result.ok) return result.reason;
    return (await store.firstUseOfSignature(key.id, result.digest)) ? null : 'replay';
  }

  async function keyAccountability(token: string, accountability: Accountability, req: Request | null) {
    const parsed = parseKey(token);
    if (!parsed) return refuse(req, 'malformed', null);
    const key = await store.byPrefix(parsed.prefix);
    if (!key) return refuse(req, 'unknown', null, parsed.prefix);
    if (!secretMatches(parsed.secret, key.secret_hash)) return refuse(req, 'bad_secret', key, key.prefix);
    const state = keyState({ revokedAt: key.revoked_at, expiresAt: key.expires_at }, clock());
    if (state !== 'active') return refuse(req, state, key, key.prefix);
    const facts = (await store.users.accessFacts([key.user_id])).get(key.user_id);
    if (!facts || facts.user.status !== 'active') return refuse(req, 'user_inactive', key, key.prefix);
    const access = currentAccess(facts.user, facts.roles, facts.rows, accountability.ip ?? null);
    // A key never acts as an administrator, whatever was linked to its user after it was made.
    if (access.admin) return refuse(req, 'admin_access', key, key.prefix);
    if (key.require_signature) {
      // A websocket message is not a signed request: keys that require signatures are HTTP only.
      const refusal = req ? await verifyRequestSignature(req, key) : 'signature_missing';
      if (refusal) return refuse(req, refusal, key, key.prefix);
    }
    if (shouldRecordUse(key.last_used_at, clock())) await store.recordUse(key.id);
    // app: false — a key is for the API, never the admin app (and gets none of the app's minimal permissions).
    return { ...accountability, user: key.user_id, ...access, app: false };
  }

  /** `websocket.authenticate`: an `auth` message or handshake whose access_token is a key (unsigned keys only). */
  const websocket = async (accountability: Accountability, meta: Record<string, unknown>): Promise<Accountability> => {
    const token = (meta['message'] as { access_token?: unknown } | undefined)?.access_token;
    return looksLikeKey(token) ? keyAccountability(token, accountability, null) : accountability;
  };

  const http = async (accountability: Accountability, meta: Record<string, unknown>): Promise<Accountability> => {
    const req = meta['req'] as Request | undefined;
    const token = (req as { token?: unknown } | undefined)?.token;
    if (!req || typeof token !== 'string' || token === '') return accountability;
    if (looksLikeKey(token)) return keyAccountability(token, accountability, req);
    if (!isJwt(token)) {
      const user = await store.userByStaticToken(token);
      if (user) {
        const facts = (await store.users.accessFacts([user.id])).get(user.id);
        const admin = facts
          ? currentAccess(facts.user, facts.roles, facts.rows, accountability.ip ?? null).admin
          : false;
        if (!admin) await refuse(req, 'static_token', null);
      }
    }
    return accountability;
  };
  return { http, websocket };
}

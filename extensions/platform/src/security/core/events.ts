// What a security event is, and how Directus's action hooks and our middlewares turn into one. Pure: the adapters
// pass the hook's meta, the accountability and the request id. Events hold ids, field names and outcomes only:
// never a value that could be a secret (passwords, tokens, TOTP secrets) or an address.

export interface SecurityEvent {
  type: string;
  outcome: string;
  /** Who did it (the caller's user id); null for anonymous callers and system work. */
  actorId?: string | null;
  /** Whom it is about. */
  userId?: string | null;
  /** accountKey() of a login identity: lets failed logins for one address be grouped without storing it. */
  accountKey?: string | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export interface ActionMeta {
  event?: string;
  key?: unknown;
  keys?: unknown[];
  payload?: unknown;
}

export interface Caller {
  user?: string | null;
  ip?: string | null;
}

/** The access-control collections whose every change is a security event (their action scope → event type). */
export const ACCESS_SCOPES = {
  roles: 'role',
  policies: 'policy',
  permissions: 'permission',
  access: 'access',
} as const;
export type AccessScope = keyof typeof ACCESS_SCOPES;

const VERB_OUTCOME = { create: 'created', update: 'updated', delete: 'deleted' } as const;
type Verb = keyof typeof VERB_OUTCOME;

/** Payload values kept for access changes: ids and names of what changed, nothing free-form. */
const KEPT_VALUES: Record<string, string[]> = {
  role: ['name', 'parent'],
  policy: ['name', 'admin_access', 'app_access', 'enforce_tfa'],
  permission: ['collection', 'action', 'policy'],
  access: ['role', 'user', 'policy'],
};

const asKeys = (meta: ActionMeta): string[] =>
  (meta.keys ?? (meta.key !== undefined ? [meta.key] : []))
    .filter((key): key is string | number => typeof key === 'string' || typeof key === 'number')
    .map(String);

const payloadOf = (meta: ActionMeta): Record<string, unknown> =>
  meta.payload && typeof meta.payload === 'object' && !Array.isArray(meta.payload)
    ? (meta.payload as Record<string, unknown>)
    : {};

const plain = (value: unknown): unknown =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value) ? value : undefined;

function base(caller: Caller | null | undefined, requestId: string | null) {
  return { actorId: caller?.user ?? null, ip: caller?.ip ?? null, requestId };
}

/** roles.*, policies.*, permissions.*, access.* actions: one event per action, the keys and changed fields in it. */
export function accessChangeEvent(
  scope: AccessScope,
  verb: Verb,
  meta: ActionMeta,
  caller: Caller | null | undefined,
  requestId: string | null,
): SecurityEvent {
  const type = ACCESS_SCOPES[scope];
  const payload = payloadOf(meta);
  const values: Record<string, unknown> = {};
  for (const field of KEPT_VALUES[type] ?? []) {
    const value = plain(payload[field]);
    if (value !== undefined) values[field] = value;
  }
  // A direct policy grant (directus_access with a user) is about that user.
  const subject = type === 'access' && typeof payload['user'] === 'string' ? payload['user'] : null;
  return {
    ...base(caller, requestId),
    type,
    outcome: VERB_OUTCOME[verb],
    userId: subject,
    detail: { keys: asKeys(meta), fields: Object.keys(payload).sort(), ...values },
  };
}

/**
 * users.update / users.delete actions: what matters for security, one event per user and kind. A role, policies
 * or status change; TOTP turned on or off (`tfa_secret` set or cleared: the secret itself never leaves here); a
 * password set by a signed-in caller (resets are recorded by their own route, which knows the outcome).
 */
export function userChangeEvents(
  verb: 'update' | 'delete',
  meta: ActionMeta,
  caller: Caller | null | undefined,
  requestId: string | null,
): SecurityEvent[] {
  const keys = asKeys(meta);
  const common = base(caller, requestId);
  if (verb === 'delete') return keys.map((userId) => ({ ...common, type: 'user', outcome: 'deleted', userId }));
  const payload = payloadOf(meta);
  const kinds: Array<Omit<SecurityEvent, 'userId'>> = [];
  if ('role' in payload) {
    kinds.push({ ...common, type: 'user_role', outcome: 'changed', detail: { role: plain(payload['role']) ?? null } });
  }
  if ('policies' in payload) kinds.push({ ...common, type: 'user_policies', outcome: 'changed' });
  if ('status' in payload) {
    kinds.push({
      ...common,
      type: 'user_status',
      outcome: 'changed',
      detail: { status: plain(payload['status']) ?? null },
    });
  }
  if ('tfa_secret' in payload) {
    kinds.push({ ...common, type: 'tfa', outcome: payload['tfa_secret'] ? 'enabled' : 'disabled' });
  }
  if ('password' in payload && caller?.user) kinds.push({ ...common, type: 'password', outcome: 'changed' });
  return keys.flatMap((userId) => kinds.map((kind) => ({ ...kind, userId })));
}

/** A 401 or 403 answered on one of our routes; other statuses are no denial. */
export function denialEvent(input: {
  status: number;
  method: string;
  path: string;
  caller: Caller | null | undefined;
  requestId: string | null;
}): SecurityEvent | null {
  const outcome = input.status === 401 ? 'unauthenticated' : input.status === 403 ? 'forbidden' : null;
  if (!outcome) return null;
  return {
    ...base(input.caller, input.requestId),
    type: 'access_denied',
    outcome,
    userId: input.caller?.user ?? null,
    // The path only (no query string, where a token could travel), cut to a sane length.
    detail: { method: input.method, path: input.path.split('?')[0]!.slice(0, 200), status: input.status },
  };
}

/** The outcome of POST /auth/password/reset from its status. */
export function passwordResetOutcome(status: number): 'completed' | 'failed' | null {
  if (status >= 200 && status < 300) return 'completed';
  if (status >= 400 && status < 500) return 'failed';
  return null;
}

/**
 * The email inside a Directus password-reset token (a JWT), read without verifying: used only after Directus
 * accepted the token, to find whom the reset was for. Null for anything that is not such a token.
 */
export function resetTokenEmail(token: unknown): string | null {
  if (typeof token !== 'string') return null;
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    return claims['scope'] === 'password-reset' && typeof claims['email'] === 'string' ? claims['email'] : null;
  } catch {
    return null;
  }
}

// One schema for the configuration Groundwork relies on. The extension checks Directus's parsed env at boot and
// `npm start` checks the raw process env before it starts anything, so both accept strings and Directus's cast values.
// Pure: no @directus imports, so scripts and unit tests can use it.
import { z } from 'zod';
import { parseRoleLimits } from '../files/core/limits.js';
import { storageProblems } from '../files/core/storage.js';
import { parseByteSize } from '../files/core/byte-size.js';
import { chooseScanner, FILE_SCAN_SETTINGS } from '../files/core/scan.js';

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int({ error: `must be a whole number between ${min} and ${max}` })
    .min(min, { error: `must be a whole number between ${min} and ${max}` })
    .max(max, { error: `must be a whole number between ${min} and ${max}` });

const booleanFlag = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);

// Directus 11's websocket auth modes; `public` is refused (see WEBSOCKETS_REST_AUTH below).
const SAFE_WEBSOCKET_AUTH = ['handshake', 'strict'] as const;
const CROSS_ORIGIN_RESOURCE_POLICIES = ['same-origin', 'same-site', 'cross-origin'] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const platformEnvSchema = z.object({
  PORT: wholeNumber(1, 65535).default(8055),
  // Directus signs tokens with SECRET; a short one is guessable. Directus casts all-digit values to numbers.
  SECRET: z.coerce.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  // Full-text search, SKIP LOCKED job queues and COPY imports are PostgreSQL features (docs/decisions).
  DB_CLIENT: z.enum(['pg', 'postgres'], { error: 'must be pg: Groundwork runs on PostgreSQL only' }).optional(),
  REDIS: z
    .string({ error: 'must be a redis:// or rediss:// URL' })
    .regex(/^rediss?:\/\/\S+$/, { error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  // The split form (decision 0034): Directus passes ioredis options only when REDIS is unset, so a deployment that
  // wants Redis commands to fail fast during an outage (REDIS_MAX_RETRIES_PER_REQUEST=1) gives Redis this way.
  REDIS_HOST: z.coerce.string().min(1).optional(),
  REDIS_PORT: wholeNumber(1, 65535).optional(),
  REDIS_USERNAME: z.coerce.string().optional(),
  REDIS_PASSWORD: z.coerce.string().optional(),
  REDIS_DB: wholeNumber(0, 1024).optional(),
  REDIS_MAX_RETRIES_PER_REQUEST: wholeNumber(0, 100).optional(),
  REDIS_ENABLED: booleanFlag.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Directus's own default is false: an extension that fails to load is skipped and Directus serves without its rules
  // (a domain bundle's access checks among them). No setting may weaken a rule (decision 0024): false is refused.
  EXTENSIONS_MUST_LOAD: booleanFlag.default(true).refine((mustLoad) => mustLoad, {
    error: 'must be true: with false, Directus serves without an extension that fails to load, and without its rules',
  }),
  /** Port `npm start` gives the embedded PostgreSQL (the next free one when taken). */
  GROUNDWORK_EMBEDDED_PG_PORT: wholeNumber(1024, 65535).default(5439),
  /** How long each readiness check may take before its dependency counts as down. */
  GROUNDWORK_HEALTH_TIMEOUT_MS: wholeNumber(50, 30000).default(2000),
  // Notifications (notifications/): retries of a delivery before it is dead-lettered, the first retry's delay
  // (doubling after), how long a claimed email is left to its attempt, and when the daily digest goes out (UTC).
  GROUNDWORK_NOTIFICATIONS_RETRY_LIMIT: wholeNumber(0, 100).default(8),
  GROUNDWORK_NOTIFICATIONS_RETRY_DELAY_SECONDS: wholeNumber(1, 3600).default(30),
  GROUNDWORK_NOTIFICATIONS_LEASE_SECONDS: wholeNumber(10, 3600).default(300),
  GROUNDWORK_NOTIFICATIONS_DIGEST_CRON: z
    .string({ error: 'must be a cron expression of 5 or 6 fields' })
    .regex(/^\S+( \S+){4,5}$/, { error: 'must be a cron expression of 5 or 6 fields' })
    .default('0 7 * * *'),
  // Login throttle (security/, decision 0013): failures per account and client before the first delay, the first
  // delay (doubling after), the longest delay, and how long a quiet key is remembered. The account alone (every
  // client) gets GROUNDWORK_LOGIN_ACCOUNT_FREE_ATTEMPTS (NIST 800-63B: at most 100) with the same backoff.
  GROUNDWORK_LOGIN_FREE_ATTEMPTS: wholeNumber(1, 100).default(5),
  GROUNDWORK_LOGIN_ACCOUNT_FREE_ATTEMPTS: wholeNumber(1, 100).default(100),
  GROUNDWORK_LOGIN_BACKOFF_BASE_MS: wholeNumber(100, 60000).default(1000),
  GROUNDWORK_LOGIN_BACKOFF_MAX_SECONDS: wholeNumber(1, 86400).default(900),
  GROUNDWORK_LOGIN_FORGET_SECONDS: wholeNumber(60, 86400).default(3600),
  // Security events (security/, decision 0019): kept this many days (the hourly security.prune job deletes older
  // ones); more than THRESHOLD failed/throttled logins, or more than THRESHOLD denials on /groundwork routes, within
  // WINDOW_SECONDS alerts every admin once per window and kind (in-app and email).
  GROUNDWORK_SECURITY_EVENTS_RETENTION_DAYS: wholeNumber(1, 3650).default(180),
  GROUNDWORK_SECURITY_BURST_THRESHOLD: wholeNumber(1, 100000).default(50),
  GROUNDWORK_SECURITY_BURST_WINDOW_SECONDS: wholeNumber(10, 86400).default(600),
  // Metrics (metrics/, decision 0032): GET /groundwork/v1/metrics answers Prometheus with this bearer token (or an
  // admin's); unset, metrics are off (404). A random secret: it reads queue sizes, ticket counts and latencies.
  METRICS_TOKEN: z.coerce.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** How long each scrape-time collector (a query of jobs, outbox, notifications, a domain's gauges) may take. */
  GROUNDWORK_METRICS_TIMEOUT_MS: wholeNumber(50, 30000).default(2000),
  // Outbound HTTP (http-client/): the one client for requests to configured addresses (webhooks). Besides Directus's
  // IMPORT_IP_DENY_LIST (read as Directus reads it), a connect and a total timeout, and the most of an answer read.
  GROUNDWORK_HTTP_CONNECT_TIMEOUT_MS: wholeNumber(100, 60000).default(5000),
  GROUNDWORK_HTTP_TIMEOUT_MS: wholeNumber(100, 120000).default(15000),
  GROUNDWORK_HTTP_MAX_RESPONSE_BYTES: wholeNumber(0, 10485760).default(65536),
  // Outgoing webhooks (webhooks/, decision 0037): the waits before each retry in seconds (Svix's: 5 s, 5 min,
  // 30 min, 2 h, 5 h, 10 h, 10 h; Directus casts a comma list to an array), how long an endpoint may fail without a
  // success before it is disabled (Svix: 5 days), and how long a rotated-out secret still signs.
  GROUNDWORK_WEBHOOKS_RETRY_SCHEDULE: z.preprocess(
    (value) => (Array.isArray(value) ? value.join(',') : typeof value === 'number' ? String(value) : value),
    z
      .string({ error: 'must be comma-separated whole seconds, e.g. 5,300,1800' })
      .regex(/^\s*\d{1,6}\s*(,\s*\d{1,6}\s*){0,19}$/, {
        error: 'must be comma-separated whole seconds (at most 20, each under 1,000,000), e.g. 5,300,1800',
      })
      .default('5,300,1800,7200,18000,36000,36000'),
  ),
  GROUNDWORK_WEBHOOKS_DISABLE_AFTER_SECONDS: wholeNumber(1, 31536000).default(432000),
  GROUNDWORK_WEBHOOKS_SECRET_OVERLAP_SECONDS: wholeNumber(0, 2592000).default(86400),
  // A circuit breaker per endpoint and instance (cockatiel): this many failed attempts in a row open it; while open,
  // deliveries to the endpoint wait (no attempt counted) and one trial goes through after the cooldown.
  GROUNDWORK_WEBHOOKS_BREAKER_FAILURES: wholeNumber(1, 1000).default(5),
  GROUNDWORK_WEBHOOKS_BREAKER_COOLDOWN_SECONDS: wholeNumber(1, 86400).default(60),
  /** Dispatched domain events are deleted this many days after dispatch (daily job); open and dead ones stay. */
  GROUNDWORK_EVENTS_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  /** Work background jobs in this process (false: only enqueue; dedicated worker instances do the work). */
  JOBS_WORKER: booleanFlag.default(true),
  /** Jobs of each queue running at once on this instance, unless the queue sets its own. */
  JOBS_CONCURRENCY: wholeNumber(1, 100).default(4),
  /** How long running jobs get to finish on shutdown before pg-boss fails them back for a retry elsewhere. */
  JOBS_SHUTDOWN_TIMEOUT_MS: wholeNumber(1000, 600000).default(10000),
  /** Wake workers with LISTEN/NOTIFY the moment a job is enqueued (needs a session connection: not PgBouncer in transaction mode). */
  JOBS_LISTEN_NOTIFY: booleanFlag.default(true),
  /** Polling of each queue: finds retries and delayed jobs, and every job when NOTIFY is off. */
  JOBS_POLLING_INTERVAL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds between 0.5 and 60' })
    .min(0.5, { error: 'must be a number of seconds between 0.5 and 60' })
    .max(60, { error: 'must be a number of seconds between 0.5 and 60' })
    .default(2),
  /** How often expired jobs (a crashed worker's) are taken back, and queue counts refreshed. */
  JOBS_SUPERVISE_INTERVAL_SECONDS: wholeNumber(1, 3600).default(60),
  /** How often a worker looks for due cron occurrences (each occurrence still runs once across instances). */
  JOBS_CRON_INTERVAL_SECONDS: wholeNumber(1, 45).default(30),
  /**
   * Background imports (imports/background.ts): the worker's heartbeat on a running import; a run whose heartbeat is
   * older (a killed worker) is retried by another worker after this long plus JOBS_SUPERVISE_INTERVAL_SECONDS.
   */
  GROUNDWORK_IMPORT_HEARTBEAT_SECONDS: wholeNumber(10, 3600).default(60),
  /** Import idempotency records and ended background runs are deleted this many days after (daily job). */
  GROUNDWORK_IMPORT_RUN_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  /**
   * Background exports (exports/background.ts): the worker's heartbeat on a running export, as for imports: a killed
   * worker's export is retried by another worker after this long plus JOBS_SUPERVISE_INTERVAL_SECONDS.
   */
  GROUNDWORK_EXPORT_HEARTBEAT_SECONDS: wholeNumber(10, 3600).default(30),
  /** Ended background export runs and their files (chunks in Postgres) are deleted this many days after (daily job). */
  GROUNDWORK_EXPORT_RUN_RETENTION_DAYS: wholeNumber(1, 3650).default(7),
  /** Cross-Origin-Resource-Policy on every response (security-headers/): which sites may embed our responses. */
  GROUNDWORK_CROSS_ORIGIN_RESOURCE_POLICY: z
    .enum(CROSS_ORIGIN_RESOURCE_POLICIES, { error: `must be one of ${CROSS_ORIGIN_RESOURCE_POLICIES.join(', ')}` })
    .default('same-site'),
  // Uploads (files/, decisions 0038 and 0061): the malware scanner (clamd) and where infected uploads are kept.
  /**
   * `clamd` (every upload scanned before it is stored; needs GROUNDWORK_CLAMD_HOST) or `off` (none is; boot warns).
   * Unset: clamd when NODE_ENV=production or a clamd host is set, else off (files/core/scan.ts, checked below).
   */
  GROUNDWORK_FILES_SCAN: z
    .enum(FILE_SCAN_SETTINGS, { error: `must be one of ${FILE_SCAN_SETTINGS.join(', ')}` })
    .optional(),
  /** clamd's host: with it every upload is scanned (INSTREAM) before it is stored. */
  GROUNDWORK_CLAMD_HOST: z.string().min(1).optional(),
  GROUNDWORK_CLAMD_PORT: wholeNumber(1, 65535).default(3310),
  GROUNDWORK_CLAMD_TIMEOUT_MS: wholeNumber(100, 600000).default(30000),
  /** Folder infected uploads are moved to (never the storage root): the security team's, outside what /assets serves. */
  GROUNDWORK_FILES_QUARANTINE_PATH: z.string().min(1).optional(),
  /** Largest image accepted, in pixels (width × height read from the header): a bigger one is a decompression bomb. */
  GROUNDWORK_FILES_MAX_IMAGE_PIXELS: wholeNumber(1, 1_000_000_000).default(100_000_000),
  /** Lower upload size limits for some roles: `<role uuid>=<size>,...` under FILES_MAX_UPLOAD_SIZE (files/core/limits.ts). */
  GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseRoleLimits(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be <role uuid>=<size> pairs: ${(error as Error).message}` });
      }
    }),
  // Inbound email (inbound/, decision 0049): how POST /groundwork/v1/inbound/email is verified; unset = the route is off.
  /**
   * `standard-webhooks` (webhook-id/-timestamp/-signature over a raw MIME body), `mailgun` (timestamp+token HMAC) or
   * `postmark` (Postmark's inbound JSON behind HTTP basic auth; decision 0053).
   */
  GROUNDWORK_INBOUND_EMAIL_SCHEME: z
    .enum(['standard-webhooks', 'mailgun', 'postmark'], { error: 'must be standard-webhooks, mailgun or postmark' })
    .optional(),
  /**
   * The scheme's key: a `whsec_...` secret (Standard Webhooks), the provider's HTTP webhook signing key (Mailgun), or
   * the `user:password` of the basic auth in the webhook URL (Postmark).
   */
  GROUNDWORK_INBOUND_EMAIL_SECRET: z.coerce.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** A signed timestamp further than this from now is a replay (or a stuck queue): refused with 401. */
  GROUNDWORK_INBOUND_EMAIL_TOLERANCE_SECONDS: wholeNumber(10, 3600).default(300),
  /** Largest request body (the whole email, attachments included), in bytes: a bigger one is refused with 413. */
  GROUNDWORK_INBOUND_EMAIL_MAX_BYTES: wholeNumber(1024, 104857600).default(26214400),
  /** What an email from an address that is no customer becomes: recorded as refused, or a pending (draft) contact. */
  GROUNDWORK_INBOUND_UNKNOWN_SENDERS: z
    .enum(['reject', 'pending_contact'], { error: 'must be reject or pending_contact' })
    .default('reject'),
  /** Our own sending addresses (comma-separated; EMAIL_FROM is always one): mail from them is a loop, dropped. */
  GROUNDWORK_INBOUND_OWN_ADDRESSES: z.string().optional(),
  /**
   * Sender authentication (decision 0053): `dmarc` = a From address counts only with the provider's
   * Authentication-Results showing dmarc=pass or an aligned DKIM/SPF pass (else the email is refused); `off` = the
   * From is believed (only for a provider that rejects unauthenticated mail itself).
   */
  GROUNDWORK_INBOUND_EMAIL_SENDER_AUTH: z.enum(['dmarc', 'off'], { error: 'must be dmarc or off' }).default('dmarc'),
  /** The provider's authserv-ids (comma-separated): only its Authentication-Results count. Unset: the topmost one. */
  GROUNDWORK_INBOUND_EMAIL_AUTHSERV_IDS: z.string().optional(),
  /** Emails an hour one sender address may turn into tickets, replies or held emails; beyond: dropped. 0 = no limit. */
  GROUNDWORK_INBOUND_EMAIL_SENDER_LIMIT: wholeNumber(0, 100000).default(30),
  // LLM assist (llm/, decision 0050): an OpenAI-compatible Chat Completions provider. Without a base URL and models
  // the routes answer 404 LLM_NOT_CONFIGURED. MODELS is a fallback chain, tried in order (comma-separated).
  GROUNDWORK_LLM_BASE_URL: z
    .string({ error: 'must be an http(s) URL, e.g. https://api.openai.com/v1' })
    .regex(/^https?:\/\/\S+$/, { error: 'must be an http(s) URL, e.g. https://api.openai.com/v1' })
    .optional(),
  GROUNDWORK_LLM_API_KEY: z.coerce.string().min(1).optional(),
  GROUNDWORK_LLM_MODELS: z.preprocess(
    (value) => (Array.isArray(value) ? value.join(',') : value),
    z
      .string({ error: 'must be comma-separated model names, e.g. gpt-4o-mini,gpt-4o' })
      .regex(/^\s*[\w.:/-]+\s*(,\s*[\w.:/-]+\s*){0,9}$/, {
        error: 'must be comma-separated model names (at most 10), e.g. gpt-4o-mini,gpt-4o',
      })
      .optional(),
  ),
  /** No first byte of an answer within this: the model counts as failed and the next one is tried. */
  GROUNDWORK_LLM_FIRST_BYTE_TIMEOUT_MS: wholeNumber(100, 120000).default(15000),
  /** The whole streamed answer of one model; past it the stream ends with an error event. */
  GROUNDWORK_LLM_TIMEOUT_MS: wholeNumber(100, 600000).default(120000),
  GROUNDWORK_LLM_MAX_OUTPUT_TOKENS: wholeNumber(16, 32000).default(800),
  /** Tokens per UTC day (prompt and answer): per user, and per organization of the tickets assisted. */
  GROUNDWORK_LLM_USER_DAILY_TOKENS: wholeNumber(0, 100_000_000).default(100000),
  GROUNDWORK_LLM_ORG_DAILY_TOKENS: wholeNumber(0, 1_000_000_000).default(1000000),
  /** Answers cached by prompt hash (in memory per instance) for this long; 0 turns the cache off. */
  GROUNDWORK_LLM_CACHE_TTL_SECONDS: wholeNumber(0, 604800).default(3600),
  /**
   * With CACHE_ENABLED: the response cache is purged again this long after the last write (cache-purge/, decision
   * 0075), removing answers that reads in flight during the first purge stored; 0: no second purge.
   */
  GROUNDWORK_CACHE_PURGE_SETTLE_MS: wholeNumber(0, 60000).default(2000),
  GROUNDWORK_LLM_BREAKER_FAILURES: wholeNumber(1, 1000).default(3),
  GROUNDWORK_LLM_BREAKER_COOLDOWN_SECONDS: wholeNumber(1, 86400).default(60),
  /**
   * Storage quota of a quota owner without its own (files/quota.ts; the service desk: an organization), as
   * FILES_MAX_UPLOAD_SIZE is written (`1gb`). Unset: no default quota.
   */
  GROUNDWORK_FILES_OWNER_QUOTA: z
    .union([z.string(), z.number()])
    .optional()
    .refine((value) => value === undefined || parseByteSize(value) !== null, {
      message: 'must be a size such as 500mb or 2gb',
    }),
  // Websockets (Directus's variables, checked here because their unsafe values leak data in Directus 11).
  WEBSOCKETS_ENABLED: booleanFlag.default(false),
  // With `public`, a failed auth message leaves the socket unauthenticated but skips permission checks
  // (GHSA-97xr-jchp-xm3c, fixed only in Directus 12.1).
  WEBSOCKETS_REST_AUTH: z
    .enum(SAFE_WEBSOCKET_AUTH, {
      error: 'must be handshake or strict: public skips permission checks in Directus 11 (GHSA-97xr-jchp-xm3c)',
    })
    .optional(),
  // Directus turns GraphQL subscriptions on with websockets; they send other tenants' deleted item ids.
  WEBSOCKETS_GRAPHQL_ENABLED: booleanFlag.optional(),
});

// Directus's own default for WEBSOCKETS_GRAPHQL_ENABLED is true: unset counts as on.
const checkedEnvSchema = platformEnvSchema.superRefine((env, ctx) => {
  if (env.WEBSOCKETS_ENABLED && env.WEBSOCKETS_GRAPHQL_ENABLED !== false) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBSOCKETS_GRAPHQL_ENABLED'],
      message:
        "must be false when WEBSOCKETS_ENABLED is true: GraphQL subscriptions send other tenants' deleted item ids in Directus 11",
    });
  }
});

export type PlatformEnv = z.infer<typeof platformEnvSchema>;

export type EnvResult = { ok: true; env: PlatformEnv } | { ok: false; problems: string[] };

/**
 * Checks the variables Groundwork relies on. Problems name the variable and the rule, never the value
 * (values may be secrets).
 */
export function checkEnv(raw: Record<string, unknown>): EnvResult {
  const relevant: Record<string, unknown> = {};
  for (const key of Object.keys(platformEnvSchema.shape)) {
    const value = raw[key];
    // An empty variable (`REDIS=`) means "not set", as in Directus.
    if (value !== undefined && value !== null && value !== '') relevant[key] = value;
  }
  const result = checkedEnvSchema.safeParse(relevant);
  // Checked beside the schema: the storage locations' variables are named after the locations (STORAGE_<NAME>_*), and
  // the scanner depends on NODE_ENV, which is Node's variable, not ours.
  const scan = result.success
    ? chooseScanner({
        nodeEnv: typeof raw['NODE_ENV'] === 'string' ? raw['NODE_ENV'] : undefined,
        scan: result.data.GROUNDWORK_FILES_SCAN,
        clamdHost: result.data.GROUNDWORK_CLAMD_HOST,
      })
    : null;
  const besides = [...storageProblems(raw), ...(scan && !scan.ok ? [scan.error] : [])];
  if (result.success && !besides.length) return { ok: true, env: result.data };
  return {
    ok: false,
    problems: [
      ...(result.success
        ? []
        : result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`)),
      ...besides,
    ],
  };
}

export function describeEnvProblems(problems: string[]): string {
  return `Invalid configuration: ${problems.join('; ')}. Fix the variable in .env or the environment and start again.`;
}

/** Where Directus's Redis is, as the readiness probe and metrics reach it: a URL, connection options, or none. */
export type RedisTarget =
  | { url: string }
  | { options: { host?: string; port?: number; username?: string; password?: string; db?: number } };

/**
 * Mirrors Directus 11.17.4 (`redis/utils/redis-config-available.js`, `redis/lib/create-redis.js`): REDIS_ENABLED
 * decides when set; otherwise REDIS wins, and the split REDIS_* variables are used when it is unset.
 */
export function redisTarget(env: PlatformEnv): RedisTarget | null {
  if (env.REDIS_ENABLED === false) return null;
  if (env.REDIS) return { url: env.REDIS };
  const { REDIS_HOST: host, REDIS_PORT: port, REDIS_USERNAME: username, REDIS_PASSWORD: password, REDIS_DB: db } = env;
  if (host === undefined && port === undefined) return null;
  const options = { host, port, username, password, db };
  return {
    options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
}

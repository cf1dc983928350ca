// The webhooks routes' zod contract (validation and the OpenAPI document), and the checks a subscription made or
// changed through /items gets too. Pure.
import { z } from 'zod';
import { assertEventPattern } from '../../events/core/pattern.js';
import { toInputIssues, type InputIssue } from '../../shared/issues.js';

const url = z
  .string({ error: 'must be an http(s) URL' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine(
    (value) => {
      try {
        const parsed = new URL(value);
        return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.username && !parsed.password;
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL without credentials' },
  )
  .meta({ description: 'Where deliveries are POSTed. IMPORT_IP_DENY_LIST applies at each delivery.' });

const pattern = z.string().refine(
  (value) => {
    try {
      assertEventPattern(value);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an event type, `prefix.*` or `*`' },
);

const events = z
  .array(pattern, { error: 'must be a list of event types or patterns' })
  .min(1, { error: 'must name at least one event type or pattern' })
  .max(50, { error: 'must have at most 50 patterns' })
  .meta({ description: 'Event types or patterns over the events outbox.', example: ['workflow.tasks.*'] });

const subscriptionFields = {
  url,
  events,
  description: z.string().max(255, { error: 'must be at most 255 characters' }).nullable().optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
};

export const createSubscriptionBody = z.object(subscriptionFields).strict();

const itemsCreate = z.object(subscriptionFields).passthrough();
const itemsUpdate = z.object(subscriptionFields).partial().passthrough();

/** Issues of a subscription payload of /items (partial: an update). */
export function subscriptionInputIssues(payload: unknown, partial: boolean): InputIssue[] {
  const result = (partial ? itemsUpdate : itemsCreate).safeParse(payload);
  return result.success ? [] : toInputIssues(result.error);
}

export const idParams = z.object({ id: z.uuid({ error: 'must be an id (uuid)' }) });

export const rotateSecretBody = z
  .object({
    overlapSeconds: z
      .number({ error: 'must be a whole number of seconds between 0 and 2592000' })
      .int({ error: 'must be a whole number of seconds between 0 and 2592000' })
      .min(0, { error: 'must be a whole number of seconds between 0 and 2592000' })
      .max(2592000, { error: 'must be a whole number of seconds between 0 and 2592000' })
      .optional()
      .meta({
        description:
          'How long the current secret keeps signing beside the new one (default GROUNDWORK_WEBHOOKS_SECRET_OVERLAP_SECONDS).',
      }),
  })
  .strict();

export const REPLAY_STATUSES = ['delivered', 'failed', 'skipped'] as const;
/** The most deliveries one range replay reopens: a bigger range is replayed in several calls. */
export const REPLAY_RANGE_LIMIT = 1000;

export const replayRangeBody = z
  .object({
    from: z.iso.datetime({ error: 'must be an ISO 8601 date-time', offset: true }).meta({
      description: 'Deliveries created at or after this time.',
      example: '2026-12-03T06:00:00Z',
    }),
    to: z.iso.datetime({ error: 'must be an ISO 8601 date-time', offset: true }).meta({
      description: 'Deliveries created before this time.',
      example: '2026-12-03T07:00:00Z',
    }),
    subscription: z.uuid({ error: 'must be a subscription id (uuid)' }).optional(),
    statuses: z
      .array(z.enum(REPLAY_STATUSES, { error: `must be some of ${REPLAY_STATUSES.join(', ')}` }))
      .min(1, { error: 'must name at least one status' })
      .default(['failed', 'skipped'])
      .meta({ description: 'Which settled deliveries to send again (default failed and skipped).' }),
  })
  .strict()
  .refine((body) => Date.parse(body.from) < Date.parse(body.to), { error: 'from must be before to', path: ['to'] });

export const replayedRange = z.object({
  data: z.object({
    count: z
      .number()
      .int()
      .meta({ description: `Deliveries queued again (at most ${REPLAY_RANGE_LIMIT}).` }),
    deliveries: z.array(z.string()),
  }),
});

const secret = z.string().meta({
  description: 'The signing secret (whsec_...). Shown in this answer only: it cannot be read afterwards.',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

export const createdSubscription = z.object({
  data: z.object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    secret,
  }),
});

export const rotatedSecret = z.object({
  data: z.object({
    secret,
    previousValidUntil: z.string().meta({ description: 'Until when the previous secret still signs.' }),
  }),
});

export const queuedDelivery = z.object({
  data: z.object({
    delivery: z.string().meta({ description: 'The webhook_deliveries row.' }),
    messageId: z.string().meta({ description: 'Its webhook-id header, stable across attempts and replays.' }),
  }),
});

// The platform API other bundles use. Directus loads each bundle as its own module graph, so extensions/service-desk
// cannot import our module state; it reads this object from globalThis instead (lazily: inside a hook's callback or
// init, not at module top level, so load order does not matter).
import { onEvent, publishEvent } from './events/index.js';
import { defineQueue, defineSchedule, enqueue, singletonKey } from './jobs/index.js';
import { quotaOwners } from './files/quota.js';
import { registerGauges } from './metrics/index.js';
import { audienceGroups } from './notifications/groups.js';
import { inboundHandlers } from './inbound/contract.js';
import type { Knex } from 'knex';
import type { ErasureRequest } from './privacy/core/erasure.js';
import { createPersonalDataRegistry } from './privacy/core/export.js';
import type { PersonalDataRequest } from './privacy/routes.js';

export const PLATFORM_API_KEY = Symbol.for('groundwork.platform');

// Domains register their share of a user's personal data here (export and erasure); the privacy routes read it. It
// lives on this object because the hook, the endpoint and the other bundles all reach this one object.
const personalData = createPersonalDataRegistry<PersonalDataRequest, ErasureRequest<Knex>>();

export const platformApi = {
  jobs: { defineQueue, enqueue, defineSchedule, singletonKey },
  events: { publishEvent, onEvent },
  privacy: personalData,
  // Domain notions notification rules may name (`{ organization: 'ticket.organization' }`); decision 0028.
  notifications: { registerAudienceGroup: audienceGroups.register },
  // Gauges a domain reads at scrape time (open tickets by status, SLA breaches); decision 0032.
  metrics: { registerGauges },
  // What an inbound email becomes (a ticket, a reply): the domain's handler; decision 0049.
  inbound: { register: inboundHandlers.register },
  // Whose storage quota an upload counts against (an organization, for the service desk); decision 0047.
  files: { registerQuotaOwners: quotaOwners.register },
};

export type GroundworkPlatform = typeof platformApi;

export function exposePlatformApi(): void {
  (globalThis as Record<symbol, unknown>)[PLATFORM_API_KEY] = platformApi;
}
